// Interoperability with the official CloudEvents JS SDK on the real brokers: events the SDK makes,
// in binary and structured content mode, sent with raw kafkajs and amqplib into a service's real
// transport and pipeline. Each case passes when the handler received the event with what it carried.
import { CloudEvent, Kafka as SdkKafka } from "cloudevents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import { createRabbitTransport } from "../../templates/runtime/rabbitmq/transport.js";
import { openRabbitDeadLetters } from "../../templates/runtime/rabbitmq/dlq.js";
import { loadConfig } from "../../templates/runtime/core/config.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import type { ServiceDef, Transport } from "../../templates/runtime/core/types.js";
import { AMQP_URL, hasKafka, hasRabbit, KAFKA_BROKERS } from "../support/brokers.js";
import { KAFKA_CLIENTS } from "../support/kafka-clients.js";
import { sdkAmqpMessage, sdkKafkaRecord } from "../support/sdk-events.js";
import { waitFor } from "../support/wait.js";
import {
  SDK_CASES,
  SDK_CONSUMERS,
  SHARED_TOPIC_CASE,
  INVALID_STRUCTURED,
  describeOutcome,
  expectAccepted,
  subscribeRecording,
  type Outcome,
} from "./cloudevents-sdk-cases.js";
import { rabbitmqConfig } from "../../templates/runtime/rabbitmq/config.js";
import { ORDER_ID, type Payloads } from "./fixtures.js";
import { kafkaService, produceRaw, readTopic } from "./kafka-support.js";
import { FAST_BACKOFF, openAdmin, rabbitService, type RabbitAdmin } from "./rabbitmq-support.js";

/** Waits until each `consumer/id` has an outcome (the failing case assertions then say which is wrong). */
async function settle(outcomes: Map<string, Outcome>, keys: string[]): Promise<void> {
  await waitFor(
    () => keys.every((key) => outcomes.has(key)),
    30_000,
    () => {
      return `outcomes of ${keys.filter((key) => !outcomes.has(key)).join(", ")}`;
    },
  ).catch(() => undefined);
}

describe.skipIf(!(await hasKafka())).each(KAFKA_CLIENTS)("CloudEvents SDK events on Kafka ($client)", (client) => {
  const cases = SDK_CASES.filter((c) => c.broker !== "rabbitmq");
  const outcomes = new Map<string, Outcome>();
  let transport: Transport;
  let service: ServiceDef;

  beforeAll(async () => {
    service = kafkaService(SDK_CONSUMERS);
    transport = client.createKafkaTransport({
      service,
      brokers: KAFKA_BROKERS,
      clientId: service.service,
      log: silentLogger,
    });
    await transport.connect();
    await subscribeRecording(service, transport, outcomes);
    const topic = service.events["order.created"]!.topic;
    const records = [...cases, SHARED_TOPIC_CASE].map((c) =>
      sdkKafkaRecord(c.event, c.mode, "wire" in c ? c.wire : {}),
    );
    await produceRaw(topic, records);
    const shared = SHARED_TOPIC_CASE.event.id;
    await settle(outcomes, [
      ...cases.map((c) => `${c.consumer}/${c.event.id}`),
      `mailer/${shared}`,
      `shipper/${shared}`,
    ]);
  }, 60_000);

  afterAll(async () => {
    await transport?.close();
  });

  it.each(cases)("accepts $name", (sdkCase) => {
    expectAccepted(sdkCase, outcomes.get(`${sdkCase.consumer}/${sdkCase.event.id}`));
  });

  it("skips a structured event of another consumer's type on a shared topic, which that consumer handles", () => {
    const id = SHARED_TOPIC_CASE.event.id;
    expect([describeOutcome(outcomes.get(`mailer/${id}`)), describeOutcome(outcomes.get(`shipper/${id}`))]).toEqual([
      "skipped",
      "handled",
    ]);
  });

  it("writes records the SDK reads back as valid CloudEvents, dataschema included", async () => {
    const publisher = createPublisher<Payloads>(service, transport);
    const id = await publisher.publish("order.shipped", { orderId: ORDER_ID, carrier: "dhl" });
    const topic = service.events["order.shipped"]!.topic;
    const [record] = (await readTopic(topic, (records) => records.some((r) => r.headers.ce_id === id))).filter(
      (r) => r.headers.ce_id === id,
    );
    const message = { key: record!.key ?? "", value: record!.value, headers: record!.headers, body: record!.value };
    const event = SdkKafka.toEvent(message as Parameters<typeof SdkKafka.toEvent>[0]);
    expect(Array.isArray(event)).toBe(false);
    const single = event as CloudEvent<unknown>;
    expect(single.validate()).toBe(true);
    expect(single).toMatchObject({
      id,
      type: "order.shipped",
      dataversion: "2",
      dataschema: "urn:evgen:order.shipped:v2",
    });
  });
});

describe.skipIf(!(await hasRabbit()))("CloudEvents SDK events on RabbitMQ", () => {
  const cases = SDK_CASES.filter((c) => c.broker !== "kafka");
  const outcomes = new Map<string, Outcome>();
  let service: ServiceDef<"rabbitmq">;
  let transport: Transport;
  let admin: RabbitAdmin;

  beforeAll(async () => {
    admin = await openAdmin();
    service = rabbitService(SDK_CONSUMERS);
    transport = createRabbitTransport({ service, url: AMQP_URL, log: silentLogger, backoff: FAST_BACKOFF });
    await transport.connect();
    await subscribeRecording(service, transport, outcomes);
    const channel = await admin.model.createConfirmChannel();
    for (const c of [...cases, INVALID_STRUCTURED]) {
      const { content, options } = sdkAmqpMessage(c.event, c.mode, "wire" in c ? c.wire : {});
      channel.publish(service.rabbitmq.exchange, c.event.type, content, options);
    }
    await channel.waitForConfirms();
    await channel.close();
    await settle(outcomes, [
      ...cases.map((c) => `${c.consumer}/${c.event.id}`),
      `mailer/${INVALID_STRUCTURED.event.id}`,
    ]);
  }, 60_000);

  afterAll(async () => {
    await transport?.close();
    await admin?.remove(service);
    await admin?.close();
  });

  it.each(cases)("accepts $name", (sdkCase) => {
    expectAccepted(sdkCase, outcomes.get(`${sdkCase.consumer}/${sdkCase.event.id}`));
  });

  it("dead-letters a structured event its schema rejects, and dlq list shows its id and type", async () => {
    const { id, type } = INVALID_STRUCTURED.event;
    expect(describeOutcome(outcomes.get(`mailer/${id}`))).toMatch(
      /^dead-letter: payload matches no version of order.created/,
    );
    const deadLetters = openRabbitDeadLetters(
      service,
      loadConfig(service, { AMQP_URL }, { brokerConfig: rabbitmqConfig }),
      silentLogger,
    );
    try {
      const { letters } = await deadLetters.list(service.consumers.mailer!, 20);
      expect(letters.map((letter) => [letter.id, letter.type, letter.kind])).toEqual([[id, type, "invalid"]]);
    } finally {
      await deadLetters.close();
    }
  });
});
