// Kafka dead-letter tools against the real broker: list reads past the replay cursor without
// moving it; replay sends each dead letter to the consumer's replay topic without its failure
// headers, so that consumer alone handles it again, as attempt 1, with the same id — in blocking
// mode too, where the consumer has no retry topics.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../templates/runtime/core/config.js";
import { REPLAYED_AT_HEADER, type DeadLetters } from "../../templates/runtime/core/dlq.js";
import { openKafkaDeadLetters as kafkajsDeadLetters } from "../../templates/runtime/kafka/kafkajs/dlq.js";
import { openKafkaDeadLetters as platformaticDeadLetters } from "../../templates/runtime/kafka/platformatic/dlq.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher, type Publisher } from "../../templates/runtime/core/publisher.js";
import { FAILURE_HEADERS, type ConsumerDef, type Transport } from "../../templates/runtime/core/types.js";
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { KAFKA_CLIENTS } from "../support/kafka-clients.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { order, type Payloads } from "./fixtures.js";
import {
  mailServerDownLetter,
  recordingHandlers,
  sightings,
  waitForEvery,
  type Sighting,
} from "../support/dead-letters.js";
import { waitFor } from "../support/wait.js";
import { kafkaService, readTopic } from "./kafka-support.js";

const openDeadLetters = { kafkajs: kafkajsDeadLetters, platformatic: platformaticDeadLetters };

describe.skipIf(!(await hasKafka())).each(KAFKA_CLIENTS)(
  "Kafka dead letters on $client",
  ({ client, createKafkaTransport }) => {
    const service = kafkaService({
      mailer: { on: ["order.created"], retry: { delaysMs: [50] } },
      auditor: { on: ["order.created"] },
      ledger: { on: ["order.created"], retry: { delaysMs: [50], mode: "blocking" }, retryQueues: [] },
    });
    const mailer = service.consumers.mailer!;
    const seen: Sighting[] = [];
    let mailerBroken = true;
    let transport: Transport;
    let publisher: Publisher<Payloads>;
    let deadLetters: DeadLetters;
    const ids: string[] = [];
    const seenBy = (consumer: string, id: string) => sightings(seen, consumer, id);

    beforeAll(async () => {
      transport = createKafkaTransport({
        service,
        brokers: KAFKA_BROKERS,
        clientId: service.service,
        log: silentLogger,
      });
      await transport.connect();
      const emitter = createPublisher<Record<string, unknown>>(service, transport);
      for (const name of ["mailer", "auditor", "ledger"]) {
        const consumer = service.consumers[name]!;
        const handlers = recordingHandlers(seen, name, () => name !== "auditor" && mailerBroken);
        const pipeline = createPipeline({ service, consumer, handlers, publisher: emitter, log: silentLogger });
        await transport.subscribe(consumer, pipeline);
      }
      publisher = createPublisher<Payloads>(service, transport);
      deadLetters = openDeadLetters[client](
        service,
        loadConfig(service, { KAFKA_BROKERS: KAFKA_BROKERS.join(",") }, { brokerConfig: kafkaConfig }),
        silentLogger,
      );
      for (let i = 0; i < 3; i++) ids.push(await publisher.publish("order.created", order({ orderId: randomUUID() })));
      await waitForEvery(
        ids,
        (id) => seenBy("mailer", id).length === 2 && seenBy("ledger", id).length === 2,
        30_000,
        "two attempts at every event",
      );
    }, 120_000);

    afterAll(async () => {
      await deadLetters?.close();
      await transport?.close();
    });

    it("lists the dead letters oldest first with their failure, again and again", async () => {
      let listed = await deadLetters.list(mailer, 20);
      await waitFor(
        async () => (listed = await deadLetters.list(mailer, 20)).total === 3,
        20_000,
        "three dead letters",
      );
      expect(listed.letters.map((l) => l.id).sort()).toEqual([...ids].sort());
      const failedAt = listed.letters.map((l) => l.failedAt!);
      expect(failedAt).toEqual([...failedAt].sort());
      expect(listed.letters[0]).toEqual(
        mailServerDownLetter(expect.stringMatching(new RegExp(`^${mailer.deadLetterQueue}\\[\\d\\]@\\d+$`)), {
          key: expect.any(String),
        }),
      );
      expect(await deadLetters.list(mailer, 2)).toEqual({ total: 3, letters: listed.letters.slice(0, 2) });
    });

    it("replays to the consumer alone, as attempt 1 with the same id, and moves the cursor", async () => {
      mailerBroken = false;
      const first = await deadLetters.replay(mailer, 2);
      expect(first).toHaveLength(2);
      const replayedIds = first.map((l) => l.id!);
      await waitForEvery(replayedIds, (id) => seenBy("mailer", id).length === 3, 30_000, "the replays to be handled");
      for (const id of replayedIds) expect(seenBy("mailer", id).map((s) => s.attempt)).toEqual([1, 2, 1]);

      const rest = await deadLetters.list(mailer, 20);
      expect(rest.total).toBe(1);
      const [last] = await deadLetters.replay(mailer, 20);
      expect(last!.id).toBe(rest.letters[0]!.id);
      await waitFor(() => seenBy("mailer", last!.id!).length === 3, 30_000, "the last replay to be handled");
      expect(await deadLetters.list(mailer, 20)).toEqual({ total: 0, letters: [] });
      expect(await deadLetters.replay(mailer, 20)).toEqual([]);
      // The other consumer of the same event saw each event once, before any replay.
      for (const id of ids) expect(seenBy("auditor", id)).toHaveLength(1);
    });

    it("puts the copy on the replay topic without failure headers, with the replay time", async () => {
      const copies = await readTopic(
        mailer.replayTopic!,
        (records) => records.filter((r) => r.headers[REPLAYED_AT_HEADER]).length === 3,
      );
      const replayed = copies.filter((r) => r.headers[REPLAYED_AT_HEADER]);
      expect(replayed.map((r) => r.headers.ce_id).sort()).toEqual([...ids].sort());
      for (const { headers } of replayed) {
        for (const name of Object.values(FAILURE_HEADERS)) expect(headers).not.toHaveProperty(name);
        expect(Date.parse(headers[REPLAYED_AT_HEADER]!)).toBeGreaterThan(Date.now() - 120_000);
        expect(headers["x-evgen-original-topic"]).toBe(service.events["order.created"]!.topic);
      }
    });

    it("replays for a blocking consumer, which has no retry topics, to that consumer alone", async () => {
      const ledger = service.consumers.ledger!;
      await waitFor(async () => (await deadLetters.list(ledger, 20)).total === 3, 20_000, "three ledger dead letters");
      const replayed = await deadLetters.replay(ledger, 20);
      expect(replayed.map((l) => l.id).sort()).toEqual([...ids].sort());
      await waitForEvery(ids, (id) => seenBy("ledger", id).length === 3, 30_000, "the ledger replays");
      for (const id of ids) expect(seenBy("ledger", id).map((s) => s.attempt)).toEqual([1, 2, 1]);
      for (const id of ids) expect(seenBy("mailer", id)).toHaveLength(3); // not replayed again to mailer
    });

    it("refuses to replay for a consumer without a dead letter, and names a missing topic", async () => {
      const { deadLetterQueue: _queue, replayTopic: _replay, ...settings } = mailer;
      const noDeadLetter: ConsumerDef = { ...settings, deadLetter: false };
      await expect(deadLetters.replay(noDeadLetter, 1)).rejects.toThrow(/no dead letter/);
      const ghost: ConsumerDef = { ...mailer, deadLetter: true, deadLetterQueue: `${service.service}.ghost.dlq` };
      await expect(deadLetters.list(ghost, 1)).rejects.toThrow(`topic ${ghost.deadLetterQueue} does not exist`);
    });
  },
);
