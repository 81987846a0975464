// The failure scenario shared by the network and broker failure tests: a consumer and a steady
// stream of publishes, a failure in the middle, and then every confirmed event must be handled,
// with no publish rejected and no stale delivery tag sent on a new channel.
import { randomUUID } from "node:crypto";
import { expect, vi } from "vitest";
import { order, recordingLogger } from "./fixtures.js";
import type { ServiceDef } from "../../templates/runtime/core/types.js";
import { openAdmin, rabbitService, runRabbit } from "./rabbitmq-support.js";

/**
 * Calls `publish` `perRound` times at once, round after round with no pause, so that publishes are
 * always in flight, until stop(); the confirmed ids and rejections grow while it runs.
 */
export function publishStream(publish: () => Promise<string>, perRound = 50) {
  const confirmed: string[] = [];
  const rejected: unknown[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const round = Array.from({ length: perRound }, publish);
      for (const result of await Promise.allSettled(round)) {
        if (result.status === "fulfilled") confirmed.push(result.value);
        else rejected.push(result.reason);
      }
    }
  })();
  return {
    confirmed,
    rejected,
    stop: () => {
      stopped = true;
      return done;
    },
  };
}

export interface FailureScenario {
  /** Where the transport connects (possibly through a proxy). */
  url: string;
  /** Where the test looks at queues and cleans up, directly. */
  adminUrl: string;
  /** Breaks things while events flow; resolves once the failure is over (or left in place). */
  disrupt(): Promise<unknown>;
}

export async function expectEveryConfirmedEventHandled({ url, adminUrl, disrupt }: FailureScenario): Promise<void> {
  const service = rabbitService({ mailer: { on: ["order.created"], concurrency: 4 } });
  try {
    await streamThroughFailure(service, url, disrupt);
    // Opened only now: the failure would have closed it too.
    const admin = await openAdmin(adminUrl);
    try {
      expect(await admin.depth(service.consumers.mailer!.group)).toBe(0);
    } finally {
      await admin.close();
    }
  } finally {
    const admin = await openAdmin(adminUrl);
    await admin.remove(service);
    await admin.close();
  }
}

async function streamThroughFailure(
  service: ServiceDef<"rabbitmq">,
  url: string,
  disrupt: () => Promise<unknown>,
): Promise<void> {
  const handled = new Set<string>();
  const { log, lines } = recordingLogger();
  const running = await runRabbit(
    service,
    { mailer: { "order.created": (event) => void handled.add(event.id) } },
    { url, log, publishTimeoutMs: 90_000 },
  );
  const readiness: boolean[] = [];
  const probe = setInterval(() => readiness.push(running.transport.isReady()), 20);
  const stream = publishStream(() => running.publisher.publish("order.created", order({ orderId: randomUUID() })));
  try {
    await vi.waitFor(() => expect(handled.size).toBeGreaterThan(300), { timeout: 30_000 });
    await disrupt();
    const before = stream.confirmed.length;
    await vi.waitFor(() => expect(stream.confirmed.length).toBeGreaterThan(before + 500), { timeout: 60_000 });
    await stream.stop();

    await vi.waitFor(() => expect(stream.confirmed.filter((id) => !handled.has(id))).toEqual([]), {
      timeout: 60_000,
      interval: 50,
    });
    expect(stream.rejected).toEqual([]);
    expect(readiness).toContain(false);
    expect(running.transport.isReady()).toBe(true);
    expect(lines.some((line) => line.msg === "RabbitMQ connection restored")).toBe(true);
    // An ack with a delivery tag from a closed channel would make RabbitMQ close the new one.
    expect(
      lines.filter((line) => /unknown delivery tag/i.test(String((line.obj.err as Error | undefined)?.message))),
    ).toEqual([]);
  } finally {
    await stream.stop();
    clearInterval(probe);
    await running.close();
  }
}
