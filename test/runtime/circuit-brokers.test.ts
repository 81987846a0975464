// A dependency down for 10 s in the middle of a stream of events, on the real brokers (Kafka with
// each client, RabbitMQ): the circuit opens, the consumer stops taking events instead of retrying
// them into the dead letter, and once the dependency is back every event is handled. Nothing
// reaches the dead letter.
import { Kafka, logLevel } from "kafkajs";
import { afterEach, describe, expect, it } from "vitest";
import { circuitFor, CIRCUIT_STATE_VALUES, type CircuitState } from "../../templates/runtime/core/circuit.js";
import type { ConsumerHandlers, EvgenEvent } from "../../templates/runtime/core/handlers.js";
import { createMetrics, type ServiceMetrics } from "../../templates/runtime/core/metrics.js";
import { createPipeline } from "../../templates/runtime/core/pipeline.js";
import { createPublisher, type Publisher } from "../../templates/runtime/core/publisher.js";
import { deadLetterQueueOf, type ServiceDef, type Transport } from "../../templates/runtime/core/types.js";
import { createRabbitTransport } from "../../templates/runtime/rabbitmq/transport.js";
import { startService } from "../../templates/runtime/core/service.js";
import { metricValue } from "../e2e/service-support.js";
import { AMQP_URL, hasKafka, hasRabbit, KAFKA_BROKERS } from "../support/brokers.js";
import { KAFKA_CLIENTS } from "../support/kafka-clients.js";
import { sleep, waitFor } from "../support/wait.js";
import { rabbitmqConfig } from "../../templates/runtime/rabbitmq/config.js";
import { order, recordingLogger, type ConsumerSpec, type LogLine, type Payloads } from "./fixtures.js";
import { kafkaService } from "./kafka-support.js";
import { openAdmin, rabbitService, runRabbit } from "./rabbitmq-support.js";

const EVENTS = 60;

/** Records ever written to a topic (its partitions' end offsets, as the dead letter is never compacted). */
async function topicSize(topic: string): Promise<number> {
  const admin = new Kafka({ clientId: "test-admin", brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}
const DOWN_MS = 10_000;

/** Three attempts 300 ms and 600 ms apart: without the breaker, a 10 s outage dead-letters what it meets. */
const MAILER: ConsumerSpec = {
  on: ["order.created"],
  concurrency: 4,
  idempotency: "none",
  retry: { attempts: 3, delaysMs: [300, 600] },
  circuitBreaker: { failureRate: 0.5, minimumCalls: 6, windowMs: 10_000, openForMs: 1_000 },
};

/**
 * The mail provider the handler calls: down for DOWN_MS from the first call on (so from when the
 * consumer has joined), then up. Records which events were handled and how many calls failed.
 */
function mailProvider() {
  let downSince: number | undefined;
  const handled = new Set<string>();
  let failures = 0;
  const handlers: ConsumerHandlers = {
    "order.created": (event: EvgenEvent) => {
      downSince ??= Date.now();
      if (Date.now() - downSince < DOWN_MS) {
        failures++;
        throw new Error("mail provider unavailable");
      }
      handled.add(event.id);
    },
  };
  return { handlers, handled, failures: () => failures };
}

/** Publishes EVENTS events, one every 200 ms (12 s: they keep coming through the outage). */
async function stream(publisher: Publisher<Payloads>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    ids.push(await publisher.publish("order.created", order({ userId: `u-${i}` })));
    await sleep(200);
  }
  return ids;
}

async function circuitGauge(metrics: ServiceMetrics): Promise<number | undefined> {
  const gauge = await metrics.registry.getSingleMetric("evgen_circuit_state")?.get();
  return gauge?.values.find((sample) => sample.labels.consumer === "mailer")?.value;
}

/** Samples evgen_circuit_state every 100 ms. */
function watchStates(metrics: ServiceMetrics): { seen: Set<number>; stop(): void } {
  const seen = new Set<number>();
  const timer = setInterval(() => {
    void metrics.registry
      .getSingleMetric("evgen_circuit_state")
      ?.get()
      .then((gauge) => {
        for (const { value } of gauge.values) seen.add(value);
      });
  }, 100);
  return { seen, stop: () => clearInterval(timer) };
}

/** What every broker must show: the circuit opened and closed again, all handled, no dead letter. */
async function expectRecovered(
  provider: ReturnType<typeof mailProvider>,
  ids: string[],
  lines: LogLine[],
  metrics: ServiceMetrics,
  deadLetters: () => Promise<number>,
) {
  await waitFor(
    () => ids.every((id) => provider.handled.has(id)),
    60_000,
    () => `all handled (${provider.handled.size} of ${ids.length})`,
  );
  // Each change of state is logged.
  const states = lines
    .filter((line) => line.obj.circuit !== undefined && line.msg?.startsWith("circuit "))
    .map((line) => line.obj.circuit as CircuitState);
  expect(states).toContain("open");
  expect(states).toContain("half-open");
  expect(states.at(-1)).toBe("closed");
  // Paused, not retried: without the breaker every event met by the outage fails three times.
  expect(provider.failures()).toBeLessThan(40);
  expect(await deadLetters()).toBe(0);
  const text = await metrics.registry.getSingleMetricAsString("evgen_events_dead_lettered_total");
  expect(text).not.toMatch(/ \d+$/m);
}

describe.skipIf(!(await hasKafka())).each(KAFKA_CLIENTS)("circuit breaker on Kafka with $client", (client) => {
  const transports: Transport[] = [];
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });

  it(
    "pauses through a 10 s outage: no dead letter, every event handled after recovery",
    { timeout: 120_000 },
    async () => {
      const service: ServiceDef = kafkaService({ mailer: MAILER });
      const { log, lines } = recordingLogger();
      const metrics = createMetrics({ defaultMetrics: false });
      const transport = client.createKafkaTransport({
        service,
        brokers: KAFKA_BROKERS,
        clientId: service.service,
        log,
        metrics,
      });
      transports.push(transport);
      const consumer = service.consumers.mailer!;
      const circuit = circuitFor(consumer, log, metrics)!;
      const provider = mailProvider();
      const emitter = createPublisher<Record<string, unknown>>(service, transport);
      await transport.connect();
      await transport.subscribe(
        consumer,
        createPipeline({ service, consumer, handlers: provider.handlers, publisher: emitter, log, metrics, circuit }),
        circuit,
      );
      const watch = watchStates(metrics);
      const ids = await stream(createPublisher<Payloads>(service, transport));
      try {
        await expectRecovered(provider, ids, lines, metrics, () => topicSize(deadLetterQueueOf(consumer)));
        // Half-open lasts as long as a successful probe: too short to sample; the log has it.
        expect(watch.seen).toContain(CIRCUIT_STATE_VALUES.open);
        expect(await circuitGauge(metrics)).toBe(CIRCUIT_STATE_VALUES.closed);
      } finally {
        watch.stop();
      }
    },
  );
  it(
    "stops while the circuit is open without committing what it held; a new member handles every event",
    { timeout: 120_000 },
    async () => {
      const service: ServiceDef = kafkaService({
        mailer: {
          ...MAILER,
          concurrency: 1,
          retry: { attempts: 3, delaysMs: [500, 500] },
          circuitBreaker: { failureRate: 0.5, minimumCalls: 3, windowMs: 10_000, openForMs: 60_000 },
        },
      });
      const consumer = service.consumers.mailer!;
      const start = async (handlers: ConsumerHandlers) => {
        const { log } = recordingLogger();
        const metrics = createMetrics({ defaultMetrics: false });
        const transport = client.createKafkaTransport({
          service,
          brokers: KAFKA_BROKERS,
          clientId: service.service,
          log,
        });
        transports.push(transport);
        const circuit = circuitFor(consumer, log, metrics)!;
        const emitter = createPublisher<Record<string, unknown>>(service, transport);
        await transport.connect();
        await transport.subscribe(
          consumer,
          createPipeline({ service, consumer, handlers, publisher: emitter, log, metrics, circuit }),
          circuit,
        );
        return { transport, metrics };
      };
      const first = await start({
        "order.created": () => {
          throw new Error("mail provider unavailable");
        },
      });
      const publisher = createPublisher<Payloads>(service, first.transport);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await publisher.publish("order.created", order({ userId: `u-${i}` })));
      await waitFor(
        async () => (await circuitGauge(first.metrics)) === CIRCUIT_STATE_VALUES.open,
        60_000,
        "the circuit to open",
      );
      const stopping = performance.now();
      await first.transport.close();
      // Open for 60 s, yet the held record was released at once.
      expect(performance.now() - stopping).toBeLessThan(15_000);

      const attempts = new Map<string, number>();
      const second = await start({
        "order.created": (event: EvgenEvent, ctx) => void attempts.set(event.id, ctx.attempt),
      });
      await waitFor(
        () => ids.every((id) => attempts.has(id)),
        60_000,
        () => `all handled (${attempts.size} of 5)`,
      );
      // The two that failed before the circuit opened come back from the retry topic; the one held and
      // the two never taken are read again from the committed offset, their attempt not counted.
      expect([...attempts.values()].sort()).toEqual([1, 1, 1, 2, 2]);
      expect(await topicSize(deadLetterQueueOf(consumer))).toBe(0);
      expect(await circuitGauge(second.metrics)).toBe(CIRCUIT_STATE_VALUES.closed);
    },
  );
});

describe.skipIf(!(await hasRabbit()))("circuit breaker on RabbitMQ", () => {
  it(
    "holds its deliveries through a 10 s outage: no dead letter, every event handled after recovery",
    { timeout: 120_000 },
    async () => {
      const service = rabbitService({ mailer: MAILER }, { prefetch: 8 });
      const { log, lines } = recordingLogger();
      const metrics = createMetrics({ defaultMetrics: false });
      const provider = mailProvider();
      const run = await runRabbit(service, { mailer: provider.handlers }, { log, metrics });
      const admin = await openAdmin();
      const watch = watchStates(metrics);
      try {
        const ids = await stream(run.publisher);
        await expectRecovered(provider, ids, lines, metrics, () =>
          admin.depth(deadLetterQueueOf(service.consumers.mailer!)),
        );
        expect(watch.seen).toContain(CIRCUIT_STATE_VALUES.open);
        expect(await circuitGauge(metrics)).toBe(CIRCUIT_STATE_VALUES.closed);
      } finally {
        watch.stop();
        await run.close();
        await admin.remove(service);
        await admin.close();
      }
    },
  );
  it(
    "stops a service promptly while the circuit is open, leaving every event queued and none dead-lettered",
    { timeout: 60_000 },
    async () => {
      const service = rabbitService({
        mailer: {
          ...MAILER,
          concurrency: 1,
          retry: { attempts: 3, delaysMs: [2_000, 2_000] },
          circuitBreaker: { failureRate: 0.5, minimumCalls: 3, windowMs: 10_000, openForMs: 60_000 },
        },
      });
      const mailer = service.consumers.mailer!;
      const admin = await openAdmin();
      const handle = await startService({
        service,
        brokerConfig: rabbitmqConfig,
        env: { PORT: "0", AMQP_URL, LOG_LEVEL: "silent" },
        createTransport: (config, log) => createRabbitTransport({ service, url: config.amqp.url, log }),
        handlers: {
          mailer: {
            "order.created": () => {
              throw new Error("mail provider unavailable");
            },
          },
        },
      });
      try {
        const gauge = async () =>
          metricValue(await (await fetch(`http://127.0.0.1:${handle.port}/metrics`)).text(), "evgen_circuit_state", {
            consumer: "mailer",
          });
        expect(await gauge()).toBe(CIRCUIT_STATE_VALUES.closed);
        for (let i = 0; i < 5; i++) await handle.publisher.publish("order.created", order({ userId: `u-${i}` }));
        await waitFor(async () => (await gauge()) === CIRCUIT_STATE_VALUES.open, 10_000, "the circuit to open");

        const stopping = performance.now();
        await handle.stop();
        // Open for 60 s, yet the held event was released at once.
        expect(performance.now() - stopping).toBeLessThan(10_000);
        // Two failed before the circuit opened and wait for their retry; the one it held and the two
        // it never took are back in the queue.
        const queued = async () => (await admin.depth(mailer.group)) + (await admin.depth(mailer.retryQueues[0]!));
        await waitFor(async () => (await queued()) === 5, 10_000, "all 5 events queued");
        expect(await admin.depth(deadLetterQueueOf(mailer))).toBe(0);
      } finally {
        await handle.stop();
        await admin.remove(service);
        await admin.close();
      }
    },
  );
});
