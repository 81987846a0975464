// Where window consumers keep open windows (docs/spec.md, windowed aggregation): the state of each
// (consumer, key, window), the events already added to it, and who is closing it. Adding an event
// and recording it are one atomic step; once a window is claimed for closing no event joins it.
import type { WindowState } from "./window.js";

/** One window of one key of one consumer. */
export interface WindowRef {
  /** The consumer group, `<service>.<consumer>`. */
  consumer: string;
  key: string;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  closesAt: number;
}

/** added; duplicate: this event was added before; closed: the window is closing or closed. */
export type AddOutcome = "added" | "duplicate" | "closed";

/** A window claimed for closing, with its state. */
export interface ClaimedWindow extends WindowRef {
  state: WindowState;
  /** How many events were added to it. */
  events: number;
}

export interface WindowStore {
  /**
   * Adds an event (by source and id) to a window: the new state is `fold(current)` (undefined for a
   * window without events), stored together with the mark that the event was added.
   */
  add(
    ref: WindowRef,
    event: { source: string; id: string },
    fold: (state: WindowState | undefined) => WindowState,
  ): Promise<AddOutcome>;
  /**
   * Claims up to `limit` windows of `consumer` that close at or before `now` for `leaseMs`: no other
   * claim gets them until the lease ends (the claimant crashed) or they are finished.
   */
  claimDue(consumer: string, now: number, owner: string, leaseMs: number, limit: number): Promise<ClaimedWindow[]>;
  /** The window's summary is published: its state is deleted, and it stays known as closed. */
  finish(window: ClaimedWindow): Promise<void>;
  /** Resolves when the store answers (readiness); stores inside the process have none. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

/** How long a closed window is remembered, so that an event for it is late and not a new window. */
export const CLOSED_WINDOW_TTL_MS = 24 * 60 * 60 * 1000;

/** Attempts of an add that lost a race with another instance adding to the same window. */
export const ADD_ATTEMPTS = 50;

interface OpenWindow {
  ref: WindowRef;
  /** JSON, as the servers keep it: a handler cannot change the stored state behind the store's back. */
  state: string;
  seen: Set<string>;
  closing: boolean;
  leaseUntil: number;
}

/** In-process store (npm run dev, tests): lost on restart. */
export function createMemoryWindowStore(options: { now?: () => number } = {}): WindowStore {
  const now = options.now ?? Date.now;
  const open = new Map<string, OpenWindow>();
  const closed = new Map<string, number>();
  const idOf = (ref: Pick<WindowRef, "consumer" | "key" | "start">) =>
    JSON.stringify([ref.consumer, ref.key, ref.start]);

  return {
    async add(ref, event, fold) {
      const id = idOf(ref);
      if ((closed.get(id) ?? 0) > now()) return "closed";
      const window = open.get(id);
      if (window?.closing) return "closed";
      const eventId = JSON.stringify([event.source, event.id]);
      if (window?.seen.has(eventId)) return "duplicate";
      const state = JSON.stringify(fold(window ? (JSON.parse(window.state) as WindowState) : undefined));
      if (window) {
        window.state = state;
        window.seen.add(eventId);
      } else {
        open.set(id, { ref, state, seen: new Set([eventId]), closing: false, leaseUntil: 0 });
      }
      return "added";
    },
    async claimDue(consumer, at, _owner, leaseMs, limit) {
      const claimed: ClaimedWindow[] = [];
      for (const window of open.values()) {
        if (claimed.length >= limit) break;
        const { ref } = window;
        if (ref.consumer !== consumer || ref.closesAt > at || window.leaseUntil > at) continue;
        window.closing = true;
        window.leaseUntil = at + leaseMs;
        claimed.push({ ...ref, state: JSON.parse(window.state) as WindowState, events: window.seen.size });
      }
      return claimed;
    },
    async finish(window) {
      const id = idOf(window);
      open.delete(id);
      closed.set(id, now() + CLOSED_WINDOW_TTL_MS);
      for (const [key, until] of closed) if (until <= now()) closed.delete(key);
    },
    async close() {
      open.clear();
      closed.clear();
    },
  };
}
