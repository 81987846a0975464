// The shape of evgen.yaml (docs/spec.md): the single source of both validation and the JSON Schema
// that editors use (schema/evgen.schema.json).
import * as z from "zod";
import { CONSUMER_NAME, EVENT_TYPE, SERVICE_NAME, TYPE_NAME } from "../patterns.js";
import { BROKER_NAMES, brokerSections } from "./brokers.js";
import { matching } from "./common.js";
import { consumerSchema } from "./consumer.js";
import { eventSchema } from "./event.js";
import { fieldsMap } from "./field-type.js";

export const specSchema = z
  .strictObject({
    evgen: z.literal(1).describe("Spec format version: 1."),
    service: matching(SERVICE_NAME, "service names are [a-z][a-z0-9-]*")
      .max(214, "a service name has at most 214 characters (it is the npm package name)")
      .describe("Package name, CloudEvents source /<service>, prefix of consumer groups, queues and topics."),
    description: z
      .string()
      .optional()
      .describe("What the service does; shown in the generated README and package.json."),
    broker: z.enum(BROKER_NAMES).describe("The broker the generated service uses."),
    ...brokerSections,
    types: z
      .record(matching(TYPE_NAME, "type names are PascalCase: [A-Z][A-Za-z0-9]*"), fieldsMap)
      .default({})
      .describe("Named types (PascalCase), each a fields map; use them as field types or with $ref."),
    events: z
      .record(matching(EVENT_TYPE, "event types are 2+ dot-separated segments of [a-z][a-z0-9-]*"), eventSchema)
      .refine((events) => Object.keys(events).length > 0, "declare at least one event")
      .describe("Event types (e.g. order.created) and their payload schemas."),
    consumers: z
      .record(matching(CONSUMER_NAME, "consumer names are [a-z][a-z0-9-]*"), consumerSchema)
      .default({})
      .describe("Consumers by name."),
  })
  .describe("evgen spec: events and consumers of one service.");

/** A spec that passed validation, with defaults applied and durations in milliseconds. */
export type Spec = z.output<typeof specSchema>;
