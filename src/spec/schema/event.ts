import * as z from "zod";
import {
  FIELD_NAME,
  KAFKA_TOPIC,
  KAFKA_TOPIC_MAX,
  RABBITMQ_NAME_MAX_BYTES,
  ROUTING_KEY,
  VERSION_KEY,
} from "../patterns.js";
import { matching } from "./common.js";
import { fieldsMap } from "./field-type.js";

export const eventSchema = z
  .strictObject({
    description: z.string().optional().describe("What happened; shown in generated types and docs."),
    key: matching(FIELD_NAME, "key names a payload field")
      .optional()
      .describe("A required string, number or integer field of every version; the Kafka message key."),
    topic: matching(KAFKA_TOPIC, "Kafka topic names are letters, digits, '.', '_' and '-'")
      .max(KAFKA_TOPIC_MAX, `a Kafka topic name has at most ${KAFKA_TOPIC_MAX} characters`)
      .refine((topic) => topic !== "." && topic !== "..", "'.' and '..' are not valid Kafka topic names")
      .optional()
      .describe("Kafka only: the topic (default: the event type). Several events may share a topic."),
    routingKey: matching(ROUTING_KEY, "routing keys are dot-separated words of letters, digits, '_', ':' and '-'")
      .max(RABBITMQ_NAME_MAX_BYTES, `a routing key has at most ${RABBITMQ_NAME_MAX_BYTES} bytes`)
      .optional()
      .describe("RabbitMQ only: the routing key it is published and bound with (default: the event type)."),
    schema: fieldsMap.optional().describe("The payload of version 1 (shorthand for versions: { 1: ... })."),
    versions: z
      .record(
        z.string().regex(VERSION_KEY, {
          error: (issue) => `version '${String(issue.input)}' is not valid: versions are positive integers (1, 2, ...)`,
        }),
        fieldsMap,
      )
      .optional()
      .describe("Payload of each version; producers publish the highest."),
    http: z
      .boolean()
      .optional()
      .describe("Whether POST /events/<type> accepts it (default: true, unless a consumer of this spec emits it)."),
  })
  .describe("An event type. Give either schema or versions.");

export type EventSpec = z.output<typeof eventSchema>;
