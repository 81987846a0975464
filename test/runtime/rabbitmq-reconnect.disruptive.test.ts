// The RabbitMQ transport through broker failures: all connections closed by the broker, and the
// broker application stopped and started again, both in the middle of a stream of events (the
// publisher and the consumer must come back by themselves and every confirmed event be handled);
// and a resource alarm that blocks publishing for a while.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { AMQP_URL, hasRabbit, RABBIT_VHOST } from "../support/brokers.js";
import { rabbitmqctl } from "../support/rabbitmqctl.js";
import { order, recordingLogger } from "./fixtures.js";
import { expectEveryConfirmedEventHandled } from "./rabbitmq-resilience.js";
import { rabbitService, restartBrokerApp, runRabbit } from "./rabbitmq-support.js";

// Closing "all" connections is limited to the test run's vhost (see test/support/global-setup.ts):
// disruptive tests run alone, so those are this test's own.
describe.skipIf(!(await hasRabbit()))("RabbitMQ transport through broker failures", () => {
  it("reconnects by itself when the broker closes every connection mid-stream", { timeout: 180_000 }, async () => {
    await expectEveryConfirmedEventHandled({
      url: AMQP_URL,
      adminUrl: AMQP_URL,
      disrupt: () => rabbitmqctl("close_all_connections", "--vhost", RABBIT_VHOST, "--limit", "100", "test"),
    });
  });

  it(
    "reconnects by itself when the broker application stops and starts again mid-stream",
    { timeout: 180_000 },
    async () => {
      await expectEveryConfirmedEventHandled({
        url: AMQP_URL,
        adminUrl: AMQP_URL,
        disrupt: () => restartBrokerApp(),
      });
    },
  );

  it(
    "holds publishes while a resource alarm blocks the connection, and confirms them after",
    { timeout: 120_000 },
    async () => {
      const service = rabbitService({ mailer: { on: ["order.created"] } });
      const handled: string[] = [];
      const { log, lines } = recordingLogger();
      const running = await runRabbit(
        service,
        { mailer: { "order.created": (event) => void handled.push(event.id) } },
        { log },
      );
      // The broker's relative memory watermark (e.g. {ok,0.4}); 0 raises the memory alarm.
      const { stdout } = await rabbitmqctl("eval", "application:get_env(rabbit, vm_memory_high_watermark).");
      const watermark = /\{ok,([\d.]+)\}/.exec(stdout)?.[1] ?? "0.4";
      try {
        await running.publisher.publish("order.created", order()); // the connection has published before
        await rabbitmqctl("set_vm_memory_high_watermark", "0");
        let confirmed = false;
        const publishing = running.publisher.publish("order.created", order()).then((id) => {
          confirmed = true;
          return id;
        });
        await vi.waitFor(() => expect(running.transport.isReady()).toBe(false), { timeout: 30_000 });
        await sleep(1_000);
        expect(confirmed).toBe(false);
        expect(lines.some((line) => /blocked the connection/.test(line.msg ?? ""))).toBe(true);

        await rabbitmqctl("set_vm_memory_high_watermark", watermark);
        const id = await publishing;
        await vi.waitFor(() => expect(handled).toContain(id), { timeout: 30_000 });
        await vi.waitFor(() => expect(running.transport.isReady()).toBe(true), { timeout: 30_000 });
      } finally {
        await rabbitmqctl("set_vm_memory_high_watermark", watermark);
        await running.close();
      }
    },
  );
});
