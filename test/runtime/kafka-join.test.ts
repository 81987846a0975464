// A service instance joining a Kafka consumer group that cannot complete its rebalance yet (a
// member that stopped heartbeating still holds it, as a SIGKILLed instance does until its session
// times out): HTTP serves at once, /readyz says the consumer is still joining, and stop() returns
// promptly instead of waiting for the join.
import { Kafka, logLevel } from "kafkajs";
import { afterEach, describe, expect, it } from "vitest";
import { createKafkaTransport } from "../../templates/runtime/kafka/kafkajs/transport.js";
import { startService, type ServiceHandle } from "../../templates/runtime/core/service.js";
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { order } from "./fixtures.js";
import { kafkaService, waitFor } from "./kafka-support.js";

describe.skipIf(!(await hasKafka()))("a Kafka service joining a group that is held up", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it(
    "serves HTTP at once, reports the consumer as joining, and stops without waiting for the join",
    { timeout: 90_000 },
    async () => {
      const service = kafkaService({ worker: { on: ["order.created"] } });
      const worker = service.consumers.worker!;
      const start = (env: Record<string, string> = {}) =>
        startService({
          service,
          brokerConfig: kafkaConfig,
          env: {
            PORT: "0",
            KAFKA_BROKERS: KAFKA_BROKERS.join(","),
            LOG_LEVEL: "silent",
            SHUTDOWN_TIMEOUT: "10000",
            ...env,
          },
          createTransport: (config, log) =>
            createKafkaTransport({
              service,
              brokers: config.kafka.brokers,
              clientId: service.service,
              log,
              sessionTimeoutMs: config.kafka.sessionTimeoutMs,
            }),
          handlers: { worker: { "order.created": () => undefined } },
        });

      // An instance without consumers provisions the topics and publishes the event the member below blocks on.
      const publisherOnly = await start({ EVGEN_CONSUMERS: "" });
      cleanups.push(() => publisherOnly.stop());
      await publisherOnly.publisher.publish("order.created", order());

      // The member holding the group up: its handler never returns, so it neither heartbeats nor
      // rejoins; the group waits for it until its 30 s session times out.
      const kafka = new Kafka({ clientId: "blocker", brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
      const blocker = kafka.consumer({ groupId: worker.group, sessionTimeout: 30_000, rebalanceTimeout: 30_000 });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let blocked = false;
      await blocker.connect();
      await blocker.subscribe({ topics: worker.topics, fromBeginning: true });
      await blocker.run({
        eachMessage: async () => {
          blocked = true;
          await released;
        },
      });
      cleanups.push(async () => {
        release();
        await blocker.disconnect();
      });
      await waitFor(() => blocked, 30_000, "the blocking member to take the event");

      const started = Date.now();
      const handle: ServiceHandle = await start();
      const startMs = Date.now() - started;
      let stopped = false;
      cleanups.push(() => (stopped ? Promise.resolve() : handle.stop()));
      const base = `http://127.0.0.1:${handle.port}`;
      expect(startMs).toBeLessThan(10_000);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: "not ready",
        waitingFor: ["consumer worker (joining)"],
        consumers: { worker: "joining" },
      });
      const posted = await fetch(`${base}/events/order.created`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(order()),
      });
      expect(posted.status).toBe(202);

      const stopping = Date.now();
      await handle.stop();
      stopped = true;
      const stopMs = Date.now() - stopping;
      // At most the brief wait for a pending join (5 s), plus closing the clients.
      expect(stopMs).toBeLessThan(8_000);
      console.log(`held-up join: service started in ${startMs} ms, stopped in ${stopMs} ms`);
    },
  );
});
