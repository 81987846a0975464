// Tumbling windows (docs/spec.md, windowed aggregation): an event belongs to the window of its key
// that holds its event time; windows are aligned on the epoch, so every instance computes the same
// ones. A window closes once the clock passes its end plus the grace, and its summary carries an id
// derived from (consumer, key, window start): published again after a crash, it is the same event.
import { EVGEN_ID_NAMESPACE, uuidV5 } from "./event-ids.js";

/** What a window's state may hold: it is stored as JSON (Redis, PostgreSQL). */
export type WindowState = string | number | boolean | null | WindowState[] | { [key: string]: WindowState };

/** The window an `emit` is called for. */
export interface WindowInfo {
  /** The value of the consumer's `window.by` field, as text. */
  key: string;
  /** Start (inclusive) and end (exclusive), RFC 3339. */
  start: string;
  end: string;
}

/**
 * A window consumer's handler module: the state of a window, how an event changes it, and the
 * summary published when the window closes. Methods, so that an aggregate of a narrower state is
 * assignable where any state is accepted.
 */
export interface Aggregate<State extends WindowState, Event, Summary> {
  /** The state of a window before its first event. */
  initial(): State;
  /** The state after `event` (return a new state or the changed one); a throw fails the event's attempt. */
  add(state: State, event: Event): State;
  /** The summary of a closed window: the payload of the consumer's emitted event. */
  emit(state: State, window: WindowInfo): Summary;
}

/** An aggregate as the runtime calls it. */
export type AnyAggregate = Aggregate<WindowState, never, unknown>;

/** Where a window lies: start and end in epoch milliseconds, and when it closes. */
export interface WindowBounds {
  start: number;
  end: number;
  closesAt: number;
}

/** The window holding event time `timeMs`. */
export function windowBounds(timeMs: number, sizeMs: number, graceMs: number): WindowBounds {
  const start = Math.floor(timeMs / sizeMs) * sizeMs;
  const end = start + sizeMs;
  return { start, end, closesAt: end + graceMs };
}

/** The text of the value at a dot path ("data.userId") of the event, or undefined when it is no scalar. */
export function windowKey(event: object, path: string): string | undefined {
  let node: unknown = event;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node === "string") return node;
  if (typeof node === "number" || typeof node === "boolean") return String(node);
  return undefined;
}

/** The id of the summary of (consumer group, key, window start): the same on every attempt. */
export function summaryId(consumer: string, key: string, start: number): string {
  return uuidV5(JSON.stringify(["window", consumer, key, start]), EVGEN_ID_NAMESPACE);
}

/** What `emit` is told about a window. */
export function windowInfo(key: string, start: number, end: number): WindowInfo {
  return { key, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}
