// A consumer's circuit breaker (docs/spec.md, "Circuit breaker"). Handler failures (errors and
// timeouts, not invalid events) are counted over a sliding window; when their share reaches
// `failureRate` over at least `minimumCalls` calls, the circuit opens: no handler runs for
// `openForMs`, the transport stops taking new deliveries, and the events already taken wait. Then
// it half-opens and lets one probe through: a probe that succeeds closes it, one that fails opens
// it again. Events whose handler fails while the circuit is open are held and run again later,
// their attempt not counted, so a dependency that is down burns no event into the dead letter.
import type { Metrics } from "./metrics.js";
import type { ConsumerDef, Logger } from "./types.js";

export interface CircuitBreakerDef {
  /** Share of failed calls, 0 < failureRate <= 1, that opens the circuit. */
  failureRate: number;
  /** Calls within the window before the rate counts. */
  minimumCalls: number;
  windowMs: number;
  openForMs: number;
}

export type CircuitState = "closed" | "open" | "half-open";

/** `evgen_circuit_state`: 0 closed, 1 open, 2 half-open. */
export const CIRCUIT_STATE_VALUES: Record<CircuitState, number> = { closed: 0, open: 1, "half-open": 2 };

/** What a caller may do: run its handler (as the half-open probe, or not), or give the event back (stopping). */
export type Admission = "run" | "probe" | "stopped";

/** The window is kept in this many buckets: calls older than the window leave a bucket at a time. */
const BUCKETS = 10;

interface Bucket {
  start: number;
  calls: number;
  failures: number;
}

export interface CircuitOptions {
  consumer: string;
  log: Logger;
  /** Reports each state (the metric). */
  onState?(state: CircuitState): void;
}

export class CircuitBreaker {
  private current: CircuitState = "closed";
  private readonly buckets: Bucket[] = [];
  private readonly bucketMs: number;
  private probing = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private readonly waiters = new Set<() => void>();
  private readonly listeners = new Set<(state: CircuitState) => void>();

  constructor(
    readonly def: CircuitBreakerDef,
    private readonly options: CircuitOptions,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(def.windowMs / BUCKETS));
    options.onState?.("closed");
  }

  get state(): CircuitState {
    return this.current;
  }

  /** Called on every state change (Kafka transports pause and resume their partitions with it). */
  onChange(listener: (state: CircuitState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Whether a handler may run now. Closed: at once. Open: once it half-opens (after `openForMs`);
   * half-open: the first caller is the probe, the others wait for its outcome. Every wait ends
   * with a state change, which comes within `openForMs` or the probe's handler timeout, or with stop().
   */
  admit(): Admission | Promise<Admission> {
    if (this.stopped) return "stopped";
    if (this.current === "closed") return "run";
    if (this.current === "half-open" && !this.probing) {
      this.probing = true;
      return "probe";
    }
    return new Promise<void>((resolve) => this.waiters.add(resolve)).then(() => this.admit());
  }

  /** The outcome of a handler run admitted as `admission`; `failed` only for errors and timeouts. */
  record(admission: Admission, failed: boolean): void {
    if (this.stopped) return;
    if (admission === "probe") {
      this.probing = false;
      if (failed) this.open("the probe failed");
      else this.close();
      return;
    }
    // Runs that started before the circuit opened end while it is open: they say nothing new.
    if (this.current !== "closed") return;
    const bucket = this.bucket(Date.now());
    bucket.calls++;
    if (!failed) return;
    bucket.failures++;
    let calls = 0;
    let failures = 0;
    for (const { calls: c, failures: f } of this.buckets) {
      calls += c;
      failures += f;
    }
    if (calls >= this.def.minimumCalls && failures >= this.def.failureRate * calls) {
      this.open(`${failures} of the last ${calls} calls failed`);
    }
  }

  /**
   * A probe admission that ended without running the handler (a duplicate, a store failure):
   * the next caller probes instead.
   */
  probeUnused(): void {
    if (!this.probing || this.current !== "half-open") return;
    this.probing = false;
    this.wake();
  }

  /** Ends every wait with "stopped": the subscription is stopping. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake();
    this.listeners.clear();
  }

  private bucket(now: number): Bucket {
    const start = now - (now % this.bucketMs);
    const horizon = now - this.def.windowMs;
    while (this.buckets.length > 0 && this.buckets[0]!.start + this.bucketMs <= horizon) this.buckets.shift();
    let last = this.buckets.at(-1);
    if (!last || last.start !== start) {
      last = { start, calls: 0, failures: 0 };
      this.buckets.push(last);
    }
    return last;
  }

  private open(why: string): void {
    this.set("open", { why, openForMs: this.def.openForMs });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.set("half-open", {});
      this.wake();
    }, this.def.openForMs);
  }

  private close(): void {
    this.buckets.length = 0;
    this.set("closed", {});
    this.wake();
  }

  private set(state: CircuitState, fields: Record<string, unknown>): void {
    this.current = state;
    const log = this.options.log;
    const line = { consumer: this.options.consumer, circuit: state, ...fields };
    if (state === "open") log.warn(line, "circuit open: handlers paused");
    else if (state === "half-open") log.info(line, "circuit half-open: one probe goes through");
    else log.info(line, "circuit closed: handlers run again");
    this.options.onState?.(state);
    for (const listener of this.listeners) listener(state);
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const resume of waiters) resume();
  }
}

/** The consumer's circuit breaker, reporting its state to `metrics`; undefined when it has none. */
export function circuitFor(consumer: ConsumerDef, log: Logger, metrics?: Metrics): CircuitBreaker | undefined {
  if (!consumer.circuitBreaker) return undefined;
  return new CircuitBreaker(consumer.circuitBreaker, {
    consumer: consumer.name,
    log,
    onState: (state) => metrics?.circuitState?.(consumer.name, CIRCUIT_STATE_VALUES[state]),
  });
}
