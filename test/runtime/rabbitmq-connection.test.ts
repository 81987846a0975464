// The RabbitMQ connection on its own: the first connection fails fast with the broker's reason;
// a lost one is retried, paced, until it is back or close() ends the retries at once.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { RabbitConnection } from "../../templates/runtime/rabbitmq/connection.js";
import { AMQP_URL, hasRabbit } from "../support/brokers.js";
import { recordingLogger } from "./fixtures.js";
import { startTcpProxy } from "./rabbitmq-support.js";

describe.skipIf(!(await hasRabbit()))("RabbitMQ connection", () => {
  it("fails the first connection at once with the broker's reason, without retrying", async () => {
    const url = new URL(AMQP_URL);
    url.password = "not-the-password";
    const { log, lines } = recordingLogger();
    const connection = new RabbitConnection({ url: url.toString(), name: "wrong password", log });
    const started = Date.now();
    await expect(connection.open()).rejects.toThrow(/ACCESS_REFUSED|403/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await sleep(600); // a retry would have been scheduled and logged by now
    expect(lines).toEqual([]);
    expect(connection.isReady()).toBe(false);
  });

  it("retries a lost connection until close(), which ends the retries at once", async () => {
    const proxy = await startTcpProxy();
    const { log, lines } = recordingLogger();
    const connection = new RabbitConnection({
      url: proxy.url,
      name: "lost",
      log,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    await connection.open();
    expect(connection.isReady()).toBe(true);
    await proxy.close(); // cuts the connection and refuses new ones
    await vi.waitFor(
      () => expect(lines.filter((l) => l.msg === "RabbitMQ reconnect failed").length).toBeGreaterThan(2),
      {
        timeout: 10_000,
      },
    );
    expect(lines.map((l) => l.msg)).toContain("RabbitMQ connection lost; reconnecting");
    expect(connection.isReady()).toBe(false);

    const closing = Date.now();
    await connection.close();
    expect(Date.now() - closing).toBeLessThan(100);
    const seen = lines.length;
    await sleep(500);
    expect(lines.length).toBe(seen);
  });
});
