// The in-memory transport treats a delivery handler that throws as the Kafka transport does: a
// failed attempt, retried while attempts remain, then dead-lettered. Never lost, never early.
import { describe, expect, it } from "vitest";
import { createMemoryTransport } from "../../templates/runtime/memory/transport.js";
import { encodeEvent } from "../../templates/runtime/core/publisher.js";
import { order, recordingLogger, shopService } from "./fixtures.js";

describe("memory transport", () => {
  it("retries a delivery handler that throws, then dead-letters the event", async () => {
    const service = shopService({ worker: { on: ["order.created"], retry: { attempts: 3, delaysMs: [1, 1] } } });
    const { log, lines } = recordingLogger();
    const transport = createMemoryTransport({ service, log });
    const attempts: number[] = [];
    await transport.subscribe(service.consumers.worker!, async (delivery) => {
      attempts.push(delivery.attempt);
      throw new Error("broken handler");
    });
    await transport.publish([encodeEvent(service, "order.created", order())]);
    await transport.idle();

    expect(attempts).toEqual([1, 2, 3]);
    const dead = transport.deadLetters("worker");
    expect(dead).toHaveLength(1);
    expect(dead[0]!.failure).toMatchObject({
      kind: "error",
      attempt: 3,
      message: expect.stringMatching(/broken handler/),
    });
    expect(lines.filter((line) => line.msg === "delivery handler threw")).toHaveLength(3);
  });
});
