// The types handlers are written against. Generated consumer modules instantiate them with the
// spec's events so that each consumer must handle exactly its `on` events and may publish exactly
// its `emits` events.
import type { Logger } from "./types.js";

/** An event as a handler receives it: CloudEvents attributes plus the validated payload. */
export interface EvgenEvent<TType extends string = string, TVersion extends number = number, TData = unknown> {
  id: string;
  type: TType;
  source: string;
  specversion: "1.0";
  /** When it happened (RFC 3339); optional in CloudEvents, evgen's producers always set it. */
  time?: string;
  /**
   * The payload's schema version: the CloudEvents `dataversion` attribute (a string on the wire),
   * else the version its `dataschema` names, else the highest version whose schema accepts the data.
   */
  dataversion: TVersion;
  data: TData;
  /** What the event is about, within its source (CloudEvents `subject`). */
  subject?: string;
  /** The schema the data adheres to (CloudEvents `dataschema`), as the producer named it. */
  dataschema?: string;
  /** CloudEvents extension attributes other than `dataversion` and `traceparent`, as text. */
  extensions?: Record<string, string>;
  traceparent?: string;
  /** The message key (Kafka), when the event has one. */
  key?: string;
}

/** Every version an event of type T may arrive in: narrow on `dataversion`. */
export type EventOf<Versions, T extends keyof Versions> = {
  [V in keyof Versions[T]]: EvgenEvent<T & string, V & number, Versions[T][V]>;
}[keyof Versions[T]];

export interface PublishOptions {
  /** Message key; defaults to the value of the event's `key` field. */
  key?: string;
  /**
   * Event id. `ctx.publish` derives it from the event being handled, the consumer, the type and
   * how many of that type the run published before (so a retried or replayed run publishes the
   * same ids); `publisher.publish` makes a random UUID. Set it to choose another.
   */
  id?: string;
  /** W3C trace context to carry with the event. */
  traceparent?: string;
}

/** What a handler may do besides reading its event. `Payloads` maps event type to payload. */
export interface HandlerContext<Payloads, Emits extends keyof Payloads> {
  /** Publishes one of the consumer's `emits` events; resolves with its id once confirmed. */
  publish<T extends Emits>(type: T, data: Payloads[T], opts?: PublishOptions): Promise<string>;
  /** 1 for the first delivery. */
  attempt: number;
  /** Logger bound to the event id, type, consumer and attempt. */
  log: Logger;
  /** Aborted when the handler runs past the consumer's timeout. */
  signal: AbortSignal;
  /** The consumer's name. */
  consumer: string;
  /**
   * Marks the event as skipped rather than handled, for `reason`: when the handler returns, the
   * event is acknowledged, logged and counted in `evgen_events_skipped_total` with `reason` as its
   * label. For decisions the event alone cannot make (a user's stored preferences): read, call
   * `ctx.skip("opted-out")`, return. A reason is a short kebab-case word; the first 20 distinct
   * ones per consumer are labels, others (and the built-in reasons) count as "other".
   */
  skip(reason: string): void;
}

/** One handler for each event type in `On`, no more, no less. */
export type Handlers<Versions, Payloads, On extends keyof Versions, Emits extends keyof Payloads> = {
  [T in On]: (event: EventOf<Versions, T>, ctx: HandlerContext<Payloads, Emits>) => Promise<void> | void;
};

/** The context as the runtime builds it, before a consumer's types narrow it. */
export interface RuntimeContext extends Omit<HandlerContext<Record<string, unknown>, string>, "publish"> {
  publish(type: string, data: unknown, opts?: PublishOptions): Promise<string>;
}

/**
 * The untyped form the runtime calls. Declared through a method so that typed handlers (which
 * accept narrower events and contexts) are assignable to it.
 */
export type HandlerFn = {
  handle(event: EvgenEvent, ctx: RuntimeContext): Promise<void> | void;
}["handle"];

/** A consumer's handlers by event type. */
export type ConsumerHandlers = Record<string, HandlerFn>;
