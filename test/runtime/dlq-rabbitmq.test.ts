// RabbitMQ dead-letter tools against the real broker: list peeks without losing or reordering a
// message (quorum and classic queues); replay moves each dead letter to the consumer's own queue
// without its failure headers, so that consumer alone handles it again, as attempt 1, same id.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../templates/runtime/core/config.js";
import { REPLAYED_AT_HEADER, type DeadLetters } from "../../templates/runtime/core/dlq.js";
import { openRabbitDeadLetters } from "../../templates/runtime/rabbitmq/dlq.js";
import { silentLogger } from "../../templates/runtime/core/logger.js";
import { FAILURE_HEADERS, type ServiceDef } from "../../templates/runtime/core/types.js";
import { AMQP_URL, hasRabbit } from "../support/brokers.js";
import { rabbitmqConfig } from "../../templates/runtime/rabbitmq/config.js";
import { order } from "./fixtures.js";
import {
  openAdmin,
  rabbitService,
  runRabbit,
  textHeaders,
  type RabbitAdmin,
  type RabbitRun,
} from "./rabbitmq-support.js";
import {
  mailServerDownLetter,
  recordingHandlers,
  sightings,
  waitForEvery,
  type Sighting,
} from "../support/dead-letters.js";
import { waitFor } from "../support/wait.js";

describe.skipIf(!(await hasRabbit()))("RabbitMQ dead letters", () => {
  describe.each(["quorum", "classic"] as const)("on %s queues", (queueType) => {
    const service: ServiceDef<"rabbitmq"> = rabbitService(
      { mailer: { on: ["order.created"], retry: { delaysMs: [50] } }, auditor: { on: ["order.created"] } },
      { queueType },
    );
    const mailer = service.consumers.mailer!;
    const seen: Sighting[] = [];
    const seenBy = (consumer: string, id: string) => sightings(seen, consumer, id);
    let mailerBroken = true;
    const handlersOf = (consumer: string) =>
      recordingHandlers(seen, consumer, () => consumer === "mailer" && mailerBroken);
    let auditorRun: RabbitRun;
    let mailerRun: RabbitRun;
    let admin: RabbitAdmin;
    let deadLetters: DeadLetters;
    const ids: string[] = [];

    beforeAll(async () => {
      auditorRun = await runRabbit(service, { auditor: handlersOf("auditor") });
      mailerRun = await runRabbit(service, { mailer: handlersOf("mailer") });
      admin = await openAdmin();
      deadLetters = openRabbitDeadLetters(
        service,
        loadConfig(service, { AMQP_URL }, { brokerConfig: rabbitmqConfig }),
        silentLogger,
      );
      for (let i = 0; i < 4; i++)
        ids.push(await auditorRun.publisher.publish("order.created", order({ orderId: randomUUID() })));
      await waitForEvery(ids, (id) => seenBy("mailer", id).length === 2, 20_000, "two attempts at every event");
    }, 60_000);

    afterAll(async () => {
      await deadLetters?.close();
      await mailerRun?.close();
      await auditorRun?.close();
      await admin?.remove(service);
      await admin?.close();
    });

    it("lists the dead letters in order with their failure, losing and reordering nothing", async () => {
      await waitFor(async () => (await admin.depth(mailer.deadLetterQueue!)) === 4, 20_000, "four dead letters");
      const all = await deadLetters.list(mailer, 20);
      expect(all.total).toBe(4);
      expect(all.letters.map((l) => l.id).sort()).toEqual([...ids].sort());
      expect(all.letters[0]).toEqual(mailServerDownLetter(`${mailer.deadLetterQueue} #1`));
      const order = all.letters.map((l) => l.id);
      expect((await deadLetters.list(mailer, 2)).letters.map((l) => l.id)).toEqual(order.slice(0, 2));
      expect((await deadLetters.list(mailer, 20)).letters.map((l) => l.id)).toEqual(order);
      expect(await admin.depth(mailer.deadLetterQueue!)).toBe(4);
    });

    it("copies a replayed event to the consumer's queue without failure headers, with the replay time", async () => {
      await mailerRun.close();
      const [replayed] = await deadLetters.replay(mailer, 1);
      const [copy, ...more] = await admin.drain(mailer.group);
      expect(more).toEqual([]);
      const headers = textHeaders(copy!);
      expect(headers.cloudEvents_id).toBe(replayed!.id);
      expect(copy!.properties.messageId).toBe(replayed!.id);
      for (const name of [...Object.values(FAILURE_HEADERS), "x-death"]) {
        expect(headers).not.toHaveProperty(name);
      }
      expect(Date.parse(headers[REPLAYED_AT_HEADER]!)).toBeGreaterThan(Date.now() - 60_000);
      ids.splice(ids.indexOf(replayed!.id!), 1); // taken by this test
    });

    it("replays to the consumer alone, as attempt 1 with the same id, and empties the dead letter", async () => {
      mailerBroken = false;
      mailerRun = await runRabbit(service, { mailer: handlersOf("mailer") });
      const first = await deadLetters.replay(mailer, 2);
      expect(first).toHaveLength(2);
      expect((await deadLetters.list(mailer, 20)).total).toBe(1);
      const last = await deadLetters.replay(mailer, 20);
      expect([...first, ...last].map((l) => l.id).sort()).toEqual([...ids].sort());
      await waitForEvery(ids, (id) => seenBy("mailer", id).length === 3, 20_000, "the replays to be handled");
      for (const id of ids) expect(seenBy("mailer", id).map((s) => s.attempt)).toEqual([1, 2, 1]);
      for (const id of ids) expect(seenBy("auditor", id)).toHaveLength(1);
      expect(await deadLetters.list(mailer, 20)).toEqual({ total: 0, letters: [] });
    });
  });

  it("replays the letters present when it starts, once each, though they fail again meanwhile", async () => {
    // Attempt 1 is the last: a replayed event that fails is dead-lettered again at once, behind
    // the letters still waiting to be replayed.
    const service = rabbitService({ mailer: { on: ["order.created"], retry: { delaysMs: [] } } });
    const mailer = service.consumers.mailer!;
    const seen: Sighting[] = [];
    const run = await runRabbit(service, { mailer: recordingHandlers(seen, "mailer", () => true) });
    const admin = await openAdmin();
    const deadLetters = openRabbitDeadLetters(
      service,
      loadConfig(service, { AMQP_URL }, { brokerConfig: rabbitmqConfig }),
      silentLogger,
    );
    try {
      const ids: string[] = [];
      for (let i = 0; i < 20; i++)
        ids.push(await run.publisher.publish("order.created", order({ orderId: randomUUID() })));
      await waitFor(async () => (await admin.depth(mailer.deadLetterQueue!)) === 20, 20_000, "20 dead letters");

      let timer: NodeJS.Timeout | undefined;
      const replayed = await Promise.race([
        deadLetters.replay(mailer, Infinity),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("replay did not end within 20 s")), 20_000);
        }),
      ]).finally(() => clearTimeout(timer));
      expect(replayed.map((l) => l.id).sort()).toEqual([...ids].sort());

      await waitFor(async () => (await admin.depth(mailer.deadLetterQueue!)) === 20, 20_000, "20 dead letters again");
      await waitForEvery(ids, (id) => sightings(seen, "mailer", id).length === 2, 20_000, "one replay of each");
      expect(seen).toHaveLength(40);
    } finally {
      await deadLetters.close();
      await run.close();
      await admin.remove(service);
      await admin.close();
    }
  });

  it("names a dead-letter queue that does not exist", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"] } });
    const deadLetters = openRabbitDeadLetters(
      service,
      loadConfig(service, { AMQP_URL }, { brokerConfig: rabbitmqConfig }),
      silentLogger,
    );
    try {
      await expect(deadLetters.list(service.consumers.mailer!, 1)).rejects.toThrow(
        `queue ${service.consumers.mailer!.deadLetterQueue} does not exist`,
      );
    } finally {
      await deadLetters.close();
    }
  });
});
