// evgen's own counters and histogram must read exactly as prom-client's would: the same
// observations through both give the same /metrics lines.
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../templates/runtime/core/metrics.js";

/** Exposition lines, sorted, with each line's labels in name order. */
function normalized(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^([^{ ]+)(?:\{(.*)\})? (.+)$/.exec(line);
      if (!match) return line;
      const labels = (match[2] ?? "")
        .split(/,(?=[a-z]+=")/)
        .filter(Boolean)
        .sort()
        .join(",");
      return `${match[1]}{${labels}} ${match[3]}`;
    })
    .sort();
}

describe("metrics", () => {
  it("expose counters and the duration histogram as prom-client does", async () => {
    const ours = createMetrics({ defaultMetrics: false });
    const registry = new Registry();
    const handled = new Counter({
      name: "evgen_events_handled_total",
      help: "h",
      labelNames: ["type", "consumer"],
      registers: [registry],
    });
    const failed = new Counter({
      name: "evgen_events_failed_total",
      help: "f",
      labelNames: ["type", "consumer", "kind"],
      registers: [registry],
    });
    const published = new Counter({
      name: "evgen_events_published_total",
      help: "p",
      labelNames: ["type"],
      registers: [registry],
    });
    const duration = new Histogram({
      name: "evgen_handler_duration_seconds",
      help: "d",
      labelNames: ["type", "consumer"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });

    const seconds = [0.001, 0.005, 0.0051, 0.2, 0.2, 3, 45];
    for (const [i, s] of seconds.entries()) {
      const consumer = i % 2 ? "mailer" : 'odd "name"\\';
      ours.handlerDuration("order.created", consumer, s);
      duration.observe({ type: "order.created", consumer }, s);
      ours.handled("order.created", consumer);
      handled.inc({ type: "order.created", consumer });
    }
    ours.failed("order.created", "mailer", "timeout");
    failed.inc({ type: "order.created", consumer: "mailer", kind: "timeout" });
    ours.published("order.shipped");
    ours.published("order.shipped");
    published.inc({ type: "order.shipped" }, 2);

    const names = [
      "evgen_events_handled_total",
      "evgen_events_failed_total",
      "evgen_events_published_total",
      "evgen_handler_duration_seconds",
    ];
    for (const name of names) {
      const expected = normalized(await registry.getSingleMetricAsString(name));
      expect(expected.length).toBeGreaterThan(0);
      expect(normalized(await ours.registry.getSingleMetricAsString(name))).toEqual(expected);
    }
    expect((await ours.registry.getMetricsAsJSON()).map((m) => m.name)).toContain("evgen_events_skipped_total");
  });

  it("start over on reset", async () => {
    const ours = createMetrics({ defaultMetrics: false });
    ours.handled("order.created", "mailer");
    ours.registry.resetMetrics();
    ours.handled("order.created", "mailer");
    expect(await ours.registry.getSingleMetricAsString("evgen_events_handled_total")).toContain(
      'evgen_events_handled_total{type="order.created",consumer="mailer"} 1',
    );
  });
});
