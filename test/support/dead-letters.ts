// What the dead-letter tool tests of both brokers (runtime/dlq-kafka.test.ts, dlq-rabbitmq.test.ts)
// share: handlers that record who saw which event at which attempt and fail while "the mail server
// is down", and how a dead letter of that failure is listed.
import { expect } from "vitest";
import { waitFor } from "./wait.js";

export interface Sighting {
  consumer: string;
  id: string;
  attempt: number;
}

/** Handlers of order.created for `consumer`: each call is recorded in `seen`; they throw while `failing()`. */
export const recordingHandlers = (seen: Sighting[], consumer: string, failing: () => boolean) => ({
  "order.created": (event: { id: string }, ctx: { attempt: number }) => {
    seen.push({ consumer, id: event.id, attempt: ctx.attempt });
    if (failing()) throw new Error("mail server down");
  },
});

/** The sightings of event `id` by `consumer`. */
export const sightings = (seen: Sighting[], consumer: string, id: string) =>
  seen.filter((s) => s.consumer === consumer && s.id === id);

/** Waits until `done` holds for every id in `ids`. */
export const waitForEvery = (
  ids: string[],
  done: (id: string) => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> => waitFor(() => ids.every(done), timeoutMs, what);

/**
 * A listed dead letter of an order.created event (user "u-1") that failed twice with "mail server
 * down", at `position`; `extra` for what one broker lists besides.
 */
export const mailServerDownLetter = (position: unknown, extra: Record<string, unknown> = {}) => ({
  id: expect.any(String),
  type: "order.created",
  attempts: 2,
  kind: "error",
  error: "Error: mail server down",
  failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  position,
  ...extra,
  body: expect.stringContaining('"userId":"u-1"'),
});
