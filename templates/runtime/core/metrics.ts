// Prometheus metrics, exposed through a prom-client registry. Each service gets its own registry so
// that several services (or tests) in one process never share counters.
//
// The evgen series are counted here rather than by prom-client's Counter and Histogram: those hash
// their labels on every call, which cost more per event than the rest of a fast handler's path.
// Here a call finds its series through a Map per label (the last one found is asked first) and adds
// to plain numbers; prom-client formats them only when /metrics is scraped.
import { Registry, collectDefaultMetrics } from "prom-client";
import type { FailureKind } from "./types.js";

/** Why an event was acknowledged without being handled: the pipeline's reasons, or a handler's (`ctx.skip`). */
export type SkipReason = "filter" | "unhandled-type" | "duplicate" | "other" | (string & {});

/** The hooks the publisher and the pipeline report to. */
export interface Metrics {
  published(type: string): void;
  /** Published, of a type no consumer of the service handles (RabbitMQ: kept in `<service>.unrouted`). */
  unrouted(type: string): void;
  handled(type: string, consumer: string): void;
  /** Every failed attempt, whatever happens next. */
  failed(type: string, consumer: string, kind: FailureKind): void;
  retried(type: string, consumer: string): void;
  deadLettered(type: string, consumer: string, kind: FailureKind): void;
  /** Attempts exhausted on a consumer without dead letter. */
  dropped(type: string, consumer: string, kind: FailureKind): void;
  skipped(type: string, consumer: string, reason: SkipReason): void;
  handlerDuration(type: string, consumer: string, seconds: number): void;
  /** A consumer's circuit breaker changed state: 0 closed, 1 open, 2 half-open. */
  circuitState?(consumer: string, state: number): void;
}

/** What a Kafka consumer reports of its partitions. */
export interface LagMetrics {
  /** Records of a partition behind its high watermark, as of the last fetch. */
  consumerLag(consumer: string, topic: string, partition: number, lag: number): void;
  /** The consumer's partitions changed (rebalance, stop): its lag series are stale. */
  forgetConsumerLag(consumer: string): void;
}

/** What the HTTP ingress reports, by client name (never a token). */
export interface HttpMetrics {
  /** Every request to POST /events and /events/<type>, by the status it got. */
  httpRequest(client: string, status: number): void;
  /** Events newly accepted over HTTP (not the repeats of an Idempotency-Key or a CloudEvent). */
  httpAccepted(type: string, client: string): void;
}

/** What window consumers report (docs/spec.md, windowed aggregation). */
export interface WindowMetrics {
  /** An event reached a window consumer: added to its window, a repeat, or late (its window had closed). */
  windowEvent(consumer: string, outcome: "added" | "duplicate" | "late"): void;
  /** A window closed: its summary published, or given up on (emit threw or its result was invalid). */
  windowClosed(consumer: string, outcome: "published" | "failed"): void;
}

export interface ServiceMetrics extends Metrics, LagMetrics, HttpMetrics, WindowMetrics {
  registry: Registry;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type Labels = Record<string, string>;
interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

/**
 * One metric family as prom-client's registry reads it (`get`, `reset`). Series are found through
 * one Map per label: each lookup hashes one short string, where a joined key would be built and
 * hashed whole on every call.
 */
abstract class Family<S extends { labels: Labels }> {
  readonly aggregator = "sum";
  private readonly root = new Map<string, unknown>();
  private all: S[] = [];
  private last?: { a: string; b: string; c: string; series: S };

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "histogram" | "gauge",
    private readonly labelNames: string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  protected abstract create(labels: Labels): S;
  protected abstract samples(series: S[]): Sample[];

  /** The series of these label values (as many as the family has labels), made on first use. */
  protected series(a: string, b = "", c = ""): S {
    // Events mostly come in runs of one type for one consumer: the last series found is asked first.
    const last = this.last;
    if (last && last.a === a && last.b === b && last.c === c) return last.series;
    const depth = this.labelNames.length;
    let series: S;
    if (depth === 1) series = this.leaf(this.root, a, a, b, c);
    else {
      const second = this.branch(this.root, a);
      series = depth === 2 ? this.leaf(second, b, a, b, c) : this.leaf(this.branch(second, b), c, a, b, c);
    }
    this.last = { a, b, c, series };
    return series;
  }

  private branch(level: Map<string, unknown>, value: string): Map<string, unknown> {
    let next = level.get(value) as Map<string, unknown> | undefined;
    if (!next) level.set(value, (next = new Map()));
    return next;
  }

  private leaf(level: Map<string, unknown>, value: string, a: string, b: string, c: string): S {
    let series = level.get(value) as S | undefined;
    if (!series) {
      const values = [a, b, c];
      series = this.create(Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]!])));
      this.all.push(series);
      level.set(value, series);
    }
    return series;
  }

  /** Drops every series whose first label is `a` (a consumer that no longer reports them). */
  protected forget(a: string): void {
    this.root.delete(a);
    this.all = this.all.filter((series) => series.labels[this.labelNames[0]!] !== a);
    this.last = undefined;
  }

  async get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.samples(this.all),
      aggregator: this.aggregator,
    };
  }

  reset(): void {
    this.root.clear();
    this.all = [];
    this.last = undefined;
  }
}

class CounterFamily extends Family<{ labels: Labels; value: number }> {
  constructor(name: string, help: string, labelNames: string[], registry: Registry) {
    super(name, help, "counter", labelNames, registry);
  }

  inc(a: string, b?: string, c?: string): void {
    this.series(a, b, c).value++;
  }

  protected create(labels: Labels) {
    return { labels, value: 0 };
  }

  protected samples(series: { labels: Labels; value: number }[]): Sample[] {
    return series.map(({ labels, value }) => ({ labels: { ...labels }, value }));
  }
}

class GaugeFamily extends Family<{ labels: Labels; value: number }> {
  constructor(name: string, help: string, labelNames: string[], registry: Registry) {
    super(name, help, "gauge", labelNames, registry);
  }

  set(value: number, a: string, b?: string, c?: string): void {
    this.series(a, b, c).value = value;
  }

  clear(a: string): void {
    this.forget(a);
  }

  protected create(labels: Labels) {
    return { labels, value: 0 };
  }

  protected samples(series: { labels: Labels; value: number }[]): Sample[] {
    return series.map(({ labels, value }) => ({ labels: { ...labels }, value }));
  }
}

interface HistogramSeries {
  labels: Labels;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

class HistogramFamily extends Family<HistogramSeries> {
  constructor(
    name: string,
    help: string,
    labelNames: string[],
    private readonly bounds: number[],
    registry: Registry,
  ) {
    super(name, help, "histogram", labelNames, registry);
  }

  observe(value: number, a: string, b?: string): void {
    const series = this.series(a, b);
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.sum += value;
    series.count++;
  }

  protected create(labels: Labels): HistogramSeries {
    return { labels, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected samples(series: HistogramSeries[]): Sample[] {
    return series.flatMap(({ labels, counts, sum, count }) => {
      let cumulative = 0;
      const buckets = this.bounds.map((bound, i) => {
        cumulative += counts[i]!;
        return { labels: { ...labels, le: String(bound) }, value: cumulative, metricName: `${this.name}_bucket` };
      });
      return [
        ...buckets,
        { labels: { ...labels, le: "+Inf" }, value: count, metricName: `${this.name}_bucket` },
        { labels: { ...labels }, value: sum, metricName: `${this.name}_sum` },
        { labels: { ...labels }, value: count, metricName: `${this.name}_count` },
      ];
    });
  }
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: string[]) =>
    new CounterFamily(name, help, labelNames, registry);

  const published = counter("evgen_events_published_total", "Events published and confirmed", ["type"]);
  const unrouted = counter(
    "evgen_events_unrouted_total",
    "Events published that no consumer of this service handles (RabbitMQ: they wait in <service>.unrouted)",
    ["type"],
  );
  const handled = counter("evgen_events_handled_total", "Events handled successfully", ["type", "consumer"]);
  const failed = counter("evgen_events_failed_total", "Failed handling attempts", ["type", "consumer", "kind"]);
  const retried = counter("evgen_events_retried_total", "Retries scheduled", ["type", "consumer"]);
  const deadLettered = counter("evgen_events_dead_lettered_total", "Events sent to the dead letter", [
    "type",
    "consumer",
    "kind",
  ]);
  const dropped = counter("evgen_events_dropped_total", "Events dropped after the last attempt (no dead letter)", [
    "type",
    "consumer",
    "kind",
  ]);
  const skipped = counter("evgen_events_skipped_total", "Events acknowledged without handling", [
    "type",
    "consumer",
    "reason",
  ]);
  const windowEvents = counter(
    "evgen_window_events_total",
    "Events reaching a window consumer, by outcome: added, duplicate or late (after their window closed)",
    ["consumer", "outcome"],
  );
  const windowsClosed = counter(
    "evgen_windows_closed_total",
    "Windows closed, by outcome: published (the summary) or failed (emit threw or returned an invalid payload)",
    ["consumer", "outcome"],
  );
  const lag = new GaugeFamily(
    "evgen_consumer_lag",
    "Records of a partition the consumer has not processed yet (Kafka), as of its last fetch",
    ["consumer", "topic", "partition"],
    registry,
  );
  const httpRequests = counter("evgen_http_requests_total", "Requests to POST /events, by API client and status", [
    "client",
    "status",
  ]);
  const httpAccepted = counter(
    "evgen_http_events_accepted_total",
    "Events accepted over HTTP, by type and API client",
    ["type", "client"],
  );
  const circuit = new GaugeFamily(
    "evgen_circuit_state",
    "A consumer's circuit breaker: 0 closed, 1 open (handlers paused), 2 half-open (one probe)",
    ["consumer"],
    registry,
  );
  const duration = new HistogramFamily(
    "evgen_handler_duration_seconds",
    "Handler run time",
    ["type", "consumer"],
    DURATION_BUCKETS,
    registry,
  );

  return {
    registry,
    published: (type) => published.inc(type),
    unrouted: (type) => unrouted.inc(type),
    handled: (type, consumer) => handled.inc(type, consumer),
    failed: (type, consumer, kind) => failed.inc(type, consumer, kind),
    retried: (type, consumer) => retried.inc(type, consumer),
    deadLettered: (type, consumer, kind) => deadLettered.inc(type, consumer, kind),
    dropped: (type, consumer, kind) => dropped.inc(type, consumer, kind),
    skipped: (type, consumer, reason) => skipped.inc(type, consumer, reason),
    handlerDuration: (type, consumer, seconds) => duration.observe(seconds, type, consumer),
    circuitState: (consumer, state) => circuit.set(state, consumer),
    consumerLag: (consumer, topic, partition, records) => lag.set(records, consumer, topic, String(partition)),
    forgetConsumerLag: (consumer) => lag.clear(consumer),
    httpRequest: (client, status) => httpRequests.inc(client, String(status)),
    httpAccepted: (type, client) => httpAccepted.inc(type, client),
    windowEvent: (consumer, outcome) => windowEvents.inc(consumer, outcome),
    windowClosed: (consumer, outcome) => windowsClosed.inc(consumer, outcome),
  };
}
