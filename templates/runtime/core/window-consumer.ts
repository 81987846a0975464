// A window consumer (docs/spec.md, windowed aggregation): its events are added to the window of
// their key and event time through the consumer pipeline (so retries, dead letters and timeouts
// apply as to any handler), and a closer publishes each window's summary once the clock passed
// its end plus the grace. The closer claims windows in the shared store, so with several
// instances one publishes each summary; if it dies between publishing and finishing, the claim
// expires and another publishes the same summary again, with the same id.
import { randomUUID } from "node:crypto";
import { InvalidPayloadError, NonRetryableError, errorMessage } from "./errors.js";
import type { ConsumerHandlers, EvgenEvent, HandlerFn } from "./handlers.js";
import type { WindowMetrics } from "./metrics.js";
import type { Publisher } from "./publisher.js";
import type { ConsumerDef, Logger, WindowDef } from "./types.js";
import { summaryId, windowBounds, windowInfo, windowKey, type AnyAggregate, type WindowState } from "./window.js";
import type { ClaimedWindow, WindowStore } from "./window-store.js";

export interface WindowConsumerOptions {
  consumer: ConsumerDef & { window: WindowDef };
  aggregate: AnyAggregate;
  store: WindowStore;
  publisher: Publisher<Record<string, unknown>>;
  log: Logger;
  metrics?: WindowMetrics;
  /** The clock windows close by (default Date.now). */
  now?: () => number;
}

/** How long a claim keeps other instances off a window while its summary is published. */
export const CLOSE_LEASE_MS = 30_000;
/** Windows claimed at once; a tick claims again while it got a full batch, this many times at most. */
const CLAIM_BATCH = 100;
const CLAIM_ROUNDS = 20;

/** How often the closer looks for due windows: often enough for short windows, at most once a second. */
export function closerTickMs(window: WindowDef): number {
  return Math.min(1000, Math.max(50, Math.floor(window.sizeMs / 4)));
}

/** The pipeline's handlers of a window consumer: each adds its event to its window. */
export function windowHandlers(options: WindowConsumerOptions): ConsumerHandlers {
  const { consumer, aggregate, store, metrics } = options;
  const { window } = consumer;
  const now = options.now ?? Date.now;
  const add: HandlerFn = async (event: EvgenEvent, ctx) => {
    const key = windowKey(event, window.by);
    if (key === undefined) throw new NonRetryableError(`the event has no scalar value at ${window.by}`);
    // An event without a time (it is optional in CloudEvents) belongs to the window of its arrival.
    const time = event.time === undefined ? now() : Date.parse(event.time);
    const bounds = windowBounds(time, window.sizeMs, window.graceMs);
    const where = { key, start: new Date(bounds.start).toISOString(), time: new Date(time).toISOString() };
    const late = () => {
      metrics?.windowEvent(consumer.name, "late");
      ctx.log.warn(where, "late event not added: its window closed");
    };
    if (now() >= bounds.closesAt) return late();
    const ref = { consumer: consumer.group, ...bounds, key };
    const outcome = await store.add(ref, { source: event.source, id: event.id }, (state: WindowState | undefined) =>
      aggregate.add(state === undefined ? aggregate.initial() : state, event as never),
    );
    if (outcome === "closed") return late();
    metrics?.windowEvent(consumer.name, outcome);
    if (outcome === "duplicate") ctx.log.info(where, "event already added to its window");
  };
  return Object.fromEntries(consumer.on.map((type) => [type, add]));
}

export interface WindowCloser {
  /**
   * Closes every window due at `at` (default: now; also done on every tick); resolves with how many
   * summaries were published.
   */
  closeDue(at?: number): Promise<number>;
  /** Stops the ticks and waits for the one running. */
  stop(): Promise<void>;
}

/** Starts closing the consumer's due windows every tick. */
export function startWindowCloser(options: WindowConsumerOptions & { tickMs?: number }): WindowCloser {
  const { consumer, aggregate, store, publisher, metrics } = options;
  const { window } = consumer;
  const now = options.now ?? Date.now;
  const log = options.log.child?.({ consumer: consumer.name }) ?? options.log;
  const owner = randomUUID();
  let running: Promise<number> | undefined;
  let stopped = false;

  /** Publishes a claimed window's summary and finishes it; false when it is left for a later claim. */
  async function close(claimed: ClaimedWindow): Promise<boolean> {
    const where = { key: claimed.key, start: new Date(claimed.start).toISOString(), events: claimed.events };
    let summary: unknown;
    try {
      summary = aggregate.emit(claimed.state, windowInfo(claimed.key, claimed.start, claimed.end));
      await publisher.publish(window.emits, summary, { id: summaryId(consumer.group, claimed.key, claimed.start) });
    } catch (error) {
      if (!(error instanceof InvalidPayloadError) && summary !== undefined) {
        // The broker did not take it: the claim runs out and the window is closed again.
        log.warn(
          { ...where, err: errorMessage(error) },
          "could not publish a window's summary; retrying after the claim ends",
        );
        return false;
      }
      // emit threw, or returned what the summary's schema refuses: no retry would change that.
      metrics?.windowClosed(consumer.name, "failed");
      log.error({ ...where, state: claimed.state, err: errorMessage(error) }, "window closed without summary");
      await store.finish(claimed);
      return false;
    }
    await store.finish(claimed);
    metrics?.windowClosed(consumer.name, "published");
    return true;
  }

  async function closeDue(at?: number): Promise<number> {
    let published = 0;
    for (let round = 0; round < CLAIM_ROUNDS && !stopped; round++) {
      const due = await store.claimDue(consumer.group, at ?? now(), owner, CLOSE_LEASE_MS, CLAIM_BATCH);
      for (const claimed of due) if (await close(claimed)) published++;
      if (due.length < CLAIM_BATCH) break;
    }
    return published;
  }

  const tick = (at?: number) => {
    running ??= closeDue(at)
      .catch((error: unknown) => {
        log.warn({ err: errorMessage(error) }, "could not close due windows");
        return 0;
      })
      .finally(() => (running = undefined));
  };
  const timer = setInterval(() => tick(), options.tickMs ?? closerTickMs(window));
  timer.unref();

  return {
    async closeDue(at) {
      await running; // a tick in progress, then one with `at`
      tick(at);
      return running!;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
