// The Kafka broker restarted under a running service: the transport reports itself unready while
// the broker is away, publishes either succeed after retries or reject, and every acknowledged
// event is handled once the broker is back. Stops the shared broker: runs alone (disruptive).
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createPublisher } from "../../templates/runtime/core/publisher.js";
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { kafkaSh } from "../support/kafka-broker.js";
import { KAFKA_CLIENTS } from "../support/kafka-clients.js";
import { order, type Payloads } from "./fixtures.js";
import { kafkaService, sleep, waitFor } from "./kafka-support.js";

describe.skipIf(!(await hasKafka())).each(KAFKA_CLIENTS)(
  "Kafka broker restart on $client",
  ({ createKafkaTransport }) => {
    it("recovers publisher and consumer; every acknowledged event is handled", async () => {
      const service = kafkaService({ worker: { on: ["order.created"] } });
      const transport = createKafkaTransport({
        service,
        brokers: KAFKA_BROKERS,
        clientId: service.service,
        log: silentLogger,
        sessionTimeoutMs: 6000,
      });
      const handled = new Set<string>();
      await transport.subscribe(service.consumers.worker!, async (delivery) => {
        handled.add(delivery.attributes.id!);
        return { action: "ack", outcome: "handled" };
      });
      const publisher = createPublisher<Payloads>(service, transport);
      const acked: string[] = [];
      let rejected = 0;
      let publishing = true;
      const publishLoop = (async () => {
        while (publishing) {
          const batch = Array.from({ length: 10 }, () => ({
            type: "order.created" as const,
            data: order({ orderId: randomUUID() }),
          }));
          await publisher.publishBatch(batch).then(
            (ids) => acked.push(...ids),
            () => rejected++,
          );
          await sleep(100);
        }
      })();

      try {
        await waitFor(() => acked.length >= 200, 30_000, "events published before the restart");
        await kafkaSh("stop");
        await waitFor(() => !transport.isReady(), 10_000, "the transport to notice the broker is gone");
        await sleep(2000);
        await kafkaSh("start");
        const ackedAtRestart = acked.length;
        await waitFor(() => acked.length >= ackedAtRestart + 200, 90_000, "publishing to resume");
        await waitFor(() => transport.isReady(), 15_000, "the transport to be ready again");
      } finally {
        publishing = false;
        await publishLoop;
        await kafkaSh("start");
      }

      await waitFor(
        () => acked.every((id) => handled.has(id)),
        90_000,
        () =>
          `every acknowledged event handled (${acked.filter((id) => !handled.has(id)).length} of ${acked.length} missing, ${rejected} publishes rejected)`,
      );
      expect(acked.length).toBeGreaterThanOrEqual(400);
      await transport.close();
    });
  },
);
