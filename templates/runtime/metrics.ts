// Prometheus metrics (prom-client). Each service gets its own registry so that several services
// (or tests) in one process never share counters.
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { FailureKind } from "./types.js";

export type SkipReason = "filter" | "unhandled-type" | "duplicate";

/** The hooks the publisher and the pipeline report to. */
export interface Metrics {
  published(type: string): void;
  handled(type: string, consumer: string): void;
  /** Every failed attempt, whatever happens next. */
  failed(type: string, consumer: string, kind: FailureKind): void;
  retried(type: string, consumer: string): void;
  deadLettered(type: string, consumer: string, kind: FailureKind): void;
  /** Attempts exhausted on a consumer without dead letter. */
  dropped(type: string, consumer: string, kind: FailureKind): void;
  skipped(type: string, consumer: string, reason: SkipReason): void;
  handlerDuration(type: string, consumer: string, seconds: number): void;
}

export interface ServiceMetrics extends Metrics {
  registry: Registry;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });

  const published = counter("evgen_events_published_total", "Events published and confirmed", [
    "type",
  ]);
  const handled = counter("evgen_events_handled_total", "Events handled successfully", [
    "type",
    "consumer",
  ]);
  const failed = counter("evgen_events_failed_total", "Failed handling attempts", [
    "type",
    "consumer",
    "kind",
  ]);
  const retried = counter("evgen_events_retried_total", "Retries scheduled", ["type", "consumer"]);
  const deadLettered = counter(
    "evgen_events_dead_lettered_total",
    "Events sent to the dead letter",
    ["type", "consumer", "kind"],
  );
  const dropped = counter(
    "evgen_events_dropped_total",
    "Events dropped after the last attempt (no dead letter)",
    ["type", "consumer", "kind"],
  );
  const skipped = counter("evgen_events_skipped_total", "Events acknowledged without handling", [
    "type",
    "consumer",
    "reason",
  ]);
  const duration = new Histogram({
    name: "evgen_handler_duration_seconds",
    help: "Handler run time",
    labelNames: ["type", "consumer"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  return {
    registry,
    published: (type) => published.inc({ type }),
    handled: (type, consumer) => handled.inc({ type, consumer }),
    failed: (type, consumer, kind) => failed.inc({ type, consumer, kind }),
    retried: (type, consumer) => retried.inc({ type, consumer }),
    deadLettered: (type, consumer, kind) => deadLettered.inc({ type, consumer, kind }),
    dropped: (type, consumer, kind) => dropped.inc({ type, consumer, kind }),
    skipped: (type, consumer, reason) => skipped.inc({ type, consumer, reason }),
    handlerDuration: (type, consumer, seconds) => duration.observe({ type, consumer }, seconds),
  };
}
