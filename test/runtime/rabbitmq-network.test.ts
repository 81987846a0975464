// The RabbitMQ transport through network failures, simulated by a TCP proxy (the broker itself
// is left alone): connections cut abruptly with publishes in flight or a handler still running,
// and connections that go silent without closing, which only heartbeats reveal.
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AMQP_URL, hasRabbit } from "../support/brokers.js";
import { order } from "./fixtures.js";
import { expectEveryConfirmedEventHandled } from "./rabbitmq-resilience.js";
import { openAdmin, rabbitService, runRabbit, startTcpProxy, type TcpProxy } from "./rabbitmq-support.js";

describe.skipIf(!(await hasRabbit()))("RabbitMQ transport through network failures", () => {
  let proxy: TcpProxy;

  beforeEach(async () => {
    proxy = await startTcpProxy();
  });
  afterEach(async () => {
    await proxy.close();
  });

  it(
    "reconnects and resends what was unconfirmed when the connections are cut mid-stream",
    { timeout: 120_000 },
    async () => {
      await expectEveryConfirmedEventHandled({ url: proxy.url, adminUrl: AMQP_URL, disrupt: async () => proxy.cut() });
    },
  );

  it("notices connections that went silent through heartbeats and reconnects", { timeout: 120_000 }, async () => {
    const url = new URL(proxy.url);
    url.searchParams.set("heartbeat", "1");
    await expectEveryConfirmedEventHandled({
      url: url.toString(),
      adminUrl: AMQP_URL,
      disrupt: async () => proxy.freeze(),
    });
  });

  it("acks finished deliveries behind a running one, and only those: the running one is redelivered", async () => {
    const service = rabbitService({ mailer: { on: ["order.created"], concurrency: 2 } });
    const admin = await openAdmin();
    const deliveries: Array<{ userId: string; attempt: number }> = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const running = await runRabbit(
      service,
      {
        mailer: {
          "order.created": async (event, ctx) => {
            const { userId } = event.data as { userId: string };
            deliveries.push({ userId, attempt: ctx.attempt });
            if (userId === "slow" && deliveries.filter((d) => d.userId === "slow").length === 1) await released;
          },
        },
      },
      { url: proxy.url },
    );
    try {
      await running.publisher.publish("order.created", order({ userId: "slow" }));
      await running.publisher.publishBatch(
        ["a", "b", "c", "d", "e"].map((userId) => ({ type: "order.created" as const, data: order({ userId }) })),
      );
      await vi.waitFor(() => expect(deliveries).toHaveLength(6), { timeout: 10_000 });
      await sleep(100); // the acks of a..e go out
      proxy.cut();
      release(); // finishes on a dead channel: no ack; the broker redelivers it

      await vi.waitFor(() => expect(deliveries.filter((d) => d.userId === "slow")).toHaveLength(2), {
        timeout: 20_000,
      });
      await sleep(300);
      expect(deliveries.map((d) => d.userId).sort()).toEqual(["a", "b", "c", "d", "e", "slow", "slow"]);
      expect(await admin.depth(service.consumers.mailer!.group)).toBe(0);
    } finally {
      await running.close();
      await admin.remove(service);
      await admin.close();
    }
  });
});
