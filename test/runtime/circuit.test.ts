// The circuit breaker on its own (when it opens, half-opens, closes, and releases what waits) and
// in a consumer on the in-memory transport: a dependency down for a while burns no event into the
// dead letter, and every event is handled once it is back.
import { afterEach, describe, expect, it } from "vitest";
import {
  CircuitBreaker,
  circuitFor,
  type Admission,
  type CircuitBreakerDef,
} from "../../templates/runtime/core/circuit.js";
import { createHarness, type Harness } from "../../templates/runtime/memory/harness.js";
import { createMetrics } from "../../templates/runtime/core/metrics.js";
import { sleep } from "../support/wait.js";
import { order, recordingLogger, shopService, type Payloads } from "./fixtures.js";

const DEF: CircuitBreakerDef = { failureRate: 0.5, minimumCalls: 4, windowMs: 10_000, openForMs: 60 };

function breaker(def: Partial<CircuitBreakerDef> = {}) {
  const { log, lines } = recordingLogger();
  const states: string[] = [];
  const circuit = new CircuitBreaker({ ...DEF, ...def }, { consumer: "mailer", log, onState: (s) => states.push(s) });
  return { circuit, lines, states };
}

const circuits: CircuitBreaker[] = [];
afterEach(() => {
  for (const circuit of circuits.splice(0)) circuit.stop();
});

describe("circuit breaker", () => {
  it("opens once the failure rate reaches its threshold over at least minimumCalls calls", () => {
    const { circuit, states, lines } = breaker();
    circuits.push(circuit);
    circuit.record("run", true);
    circuit.record("run", true);
    circuit.record("run", true); // 3 of 3 failed, but fewer than 4 calls
    expect(circuit.state).toBe("closed");
    circuit.record("run", false); // 3 of 4: 75% >= 50%
    expect(circuit.state).toBe("closed"); // a success never opens it
    circuit.record("run", true);
    expect(circuit.state).toBe("open");
    expect(states).toEqual(["closed", "open"]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "circuit open: handlers paused",
        obj: expect.objectContaining({ consumer: "mailer", circuit: "open" }),
      }),
    );
  });

  it("stays closed while the rate is below the threshold", () => {
    const { circuit } = breaker({ failureRate: 0.6 });
    circuits.push(circuit);
    for (let i = 0; i < 20; i++) circuit.record("run", i % 2 === 1); // at most half fail: below 60%
    expect(circuit.state).toBe("closed");
  });

  it("forgets calls older than the window", async () => {
    const { circuit } = breaker({ windowMs: 100 });
    circuits.push(circuit);
    for (let i = 0; i < 3; i++) circuit.record("run", true);
    await sleep(150);
    circuit.record("run", true); // the three earlier failures left the window
    expect(circuit.state).toBe("closed");
  });

  it("holds callers while open, half-opens after openFor with one probe, and closes when it succeeds", async () => {
    const { circuit, states } = breaker();
    circuits.push(circuit);
    for (let i = 0; i < 4; i++) circuit.record("run", true);
    const opened = performance.now();
    const waiting = [circuit.admit(), circuit.admit(), circuit.admit()];
    expect(waiting.every((w) => w instanceof Promise)).toBe(true);
    const first = await Promise.race(waiting);
    expect(performance.now() - opened).toBeGreaterThanOrEqual(55);
    expect(first).toBe("probe");
    expect(circuit.state).toBe("half-open");
    // The others wait for the probe's outcome.
    const settled: Admission[] = [];
    for (const w of waiting) void Promise.resolve(w).then((a) => settled.push(a));
    await sleep(20);
    expect(settled).toEqual(["probe"]);
    circuit.record("probe", false);
    await sleep(0);
    expect(settled).toEqual(["probe", "run", "run"]);
    expect(circuit.state).toBe("closed");
    expect(states).toEqual(["closed", "open", "half-open", "closed"]);
  });

  it("opens again when the probe fails, and lets another caller probe when a probe ran no handler", async () => {
    const { circuit, states } = breaker();
    circuits.push(circuit);
    for (let i = 0; i < 4; i++) circuit.record("run", true);
    expect(await circuit.admit()).toBe("probe");
    circuit.record("probe", true);
    expect(circuit.state).toBe("open");
    expect(await circuit.admit()).toBe("probe");
    const next = circuit.admit();
    circuit.probeUnused(); // e.g. the probe's event was a duplicate
    expect(await next).toBe("probe");
    expect(states).toEqual(["closed", "open", "half-open", "open", "half-open"]);
  });

  it("releases every waiting caller with 'stopped' on stop()", async () => {
    const { circuit } = breaker({ openForMs: 60_000 });
    for (let i = 0; i < 4; i++) circuit.record("run", true);
    const waiting = [circuit.admit(), circuit.admit()];
    circuit.stop();
    expect(await Promise.all(waiting)).toEqual(["stopped", "stopped"]);
    expect(circuit.admit()).toBe("stopped");
  });

  it("reports its state as evgen_circuit_state{consumer}: 0 closed, 1 open, 2 half-open", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const service = shopService({ mailer: { on: ["order.created"], circuitBreaker: DEF } });
    const circuit = circuitFor(service.consumers.mailer!, recordingLogger().log, metrics)!;
    circuits.push(circuit);
    const gauge = async () =>
      (await metrics.registry.getSingleMetricAsString("evgen_circuit_state")).split("\n").at(-1);
    expect(await gauge()).toBe('evgen_circuit_state{consumer="mailer"} 0');
    for (let i = 0; i < 4; i++) circuit.record("run", true);
    expect(await gauge()).toBe('evgen_circuit_state{consumer="mailer"} 1');
    await circuit.admit();
    expect(await gauge()).toBe('evgen_circuit_state{consumer="mailer"} 2');
    expect(
      circuitFor(shopService({ other: { on: ["order.created"] } }).consumers.other!, recordingLogger().log),
    ).toBeUndefined();
  });
});

describe("consumer with a circuit breaker on the memory transport", () => {
  const harnesses: Array<Harness<Payloads>> = [];
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.close()));
  });

  it("dead-letters nothing while its dependency is down, and handles every event once it is back", async () => {
    let down = true;
    const attemptsSeen: number[] = [];
    const service = shopService({
      mailer: {
        on: ["order.created"],
        concurrency: 4,
        retry: { attempts: 3, delaysMs: [20, 40] },
        circuitBreaker: { failureRate: 0.5, minimumCalls: 4, windowMs: 5_000, openForMs: 50 },
      },
    });
    const harness = createHarness<Payloads>({
      service,
      log: recordingLogger().log,
      timeScale: 1,
      handlers: {
        mailer: {
          "order.created": (_event, ctx) => {
            attemptsSeen.push(ctx.attempt);
            if (down) throw new Error("smtp down");
          },
        },
      },
    });
    harnesses.push(harness);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await harness.publish("order.created", order({ userId: `u-${i}` })));
    await sleep(600); // down for far longer than every retry delay together
    down = false;
    await harness.idle();

    expect(harness.deadLettered()).toEqual([]);
    expect(
      harness
        .handled("mailer")
        .map((h) => h.event.id)
        .sort(),
    ).toEqual([...ids].sort());
    // The events that failed before the circuit opened used retries; none reached its last attempt.
    expect(Math.max(...attemptsSeen)).toBeLessThan(3);
  });
});
