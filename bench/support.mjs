// What bench/kafka.mjs and bench/rabbitmq.mjs share: the settings, the events, the generated
// project with a counting handler, the generated publisher's role, running a role in its own
// process until it reports, and the table of results.
//   BENCH_EVENTS (default 100000), BENCH_ROUNDS (default 3)
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NOTE = "x".repeat(900); // brings an event to about 1 KiB of JSON

const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** Prints a role's result line, which measure() waits for. */
export const report = (result) => console.log(JSON.stringify({ bench: true, ...result, rssMB: peakRssMB() }));
/** Wall and CPU time from now; CPU time per event varies less than events/s with other load on the machine. */
export function startClock() {
  const started = performance.now();
  const cpu = process.cpuUsage();
  return (events) => {
    const { user, system } = process.cpuUsage(cpu);
    return { events, ms: performance.now() - started, cpuMs: (user + system) / 1000 };
  };
}
export const payload = (i) => ({ orderId: randomUUID(), userId: `user-${i}`, note: NOTE });

/**
 * The bench project's evgen.yaml: one event, one consumer without idempotency (the raw client has no
 * store either). `root` and `event`: the broker's own lines, under the root and under order.created.
 */
export const benchSpec = (service, broker, { root = "", event = "" } = {}) => `evgen: 1
service: ${service}
broker: ${broker}
${root}events:
  order.created:
${event}    schema: { orderId: uuid, userId: string, note: string }
consumers:
  bench:
    on: [order.created]
    idempotency: none   # raw ${broker === "kafka" ? "kafkajs" : "amqplib"} has no store either
`;

// The generated consumer's handler: counts, and reports once the last event is handled.
const HANDLER = `import { defineHandlers } from "../generated/consumers/bench.js";
const total = Number(process.env.BENCH_EVENTS);
let count = 0;
let first = 0;
let firstCpu = process.cpuUsage();
export default defineHandlers({
  "order.created": () => {
    if (count === 0) {
      first = performance.now();
      firstCpu = process.cpuUsage();
    }
    if (++count === total) {
      const { user, system } = process.cpuUsage(firstCpu);
      const maxRss = process.resourceUsage().maxRSS;
      console.log(JSON.stringify({ bench: true, events: count, ms: performance.now() - first, cpuMs: (user + system) / 1000, rssMB: Math.round(maxRss / 1024) }));
    }
  },
});
`;

// --- the roles, each run in a child process -----------------------------------------------------

/**
 * Publishes EVENTS events in batches of `batch` with the generated publisher of the project in
 * `dir`, configured by `env`, after one event that connects (and, on Kafka, creates the topic).
 */
export async function publishGenerated(dir, env, batch) {
  const { createPublisher } = await import(pathToFileURL(join(dir, "dist/generated/index.js")).href);
  const publisher = createPublisher({ env: { ...env, LOG_LEVEL: "warn" } });
  await publisher.publish("order.created", payload(-1));
  const stop = startClock();
  for (let i = 0; i < EVENTS; i += batch) {
    const n = Math.min(batch, EVENTS - i);
    await publisher.publishBatch(
      Array.from({ length: n }, (_, k) => ({ type: "order.created", data: payload(i + k) })),
    );
  }
  report(stop(EVENTS));
  await publisher.close();
}

/** With a role's name and argument on the command line, runs that role; without, `orchestrate`. */
export async function runRoleOr(roles, orchestrate) {
  const [role, arg] = process.argv.slice(2);
  if (role) await roles[role](arg);
  else await orchestrate();
}

// --- the orchestrator ---------------------------------------------------------------------------

/** Runs a process until it prints its result line, then stops it and waits for it to exit. */
export function measure(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], ...options });
    let buffered = "";
    let result;
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop();
      result ??= lines.filter((line) => line.includes('"bench":true')).map((line) => JSON.parse(line))[0];
      if (result) child.kill("SIGTERM");
    });
    child.once("exit", (code) =>
      result ? resolve(result) : reject(new Error(`${args.join(" ")} exited ${code} without a result`)),
    );
  });
}

/** The generated consumer of the project in `dir` until it handled EVENTS + 1 events (with the warm-up). */
export const consumeGenerated = (dir, env) =>
  measure(["dist/generated/main.js"], {
    cwd: dir,
    env: { ...env, BENCH_EVENTS: String(EVENTS + 1), PORT: "0", EVGEN_CONSUMERS: "bench", LOG_LEVEL: "warn" },
  });

/** Generates the project of `specText` in `dir`, with the counting handler, and builds it. */
export function generateProject(dir, specText) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "evgen.yaml"), specText);
  execFileSync(process.execPath, [join(ROOT, "bin/evgen.js"), "generate"], { cwd: dir, stdio: "inherit" });
  writeFileSync(join(dir, "src/handlers/bench.ts"), HANDLER);
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: dir, stdio: "inherit" });
}

const rate = (result) => Math.round(result.events / (result.ms / 1000));
const best = (results) => results.reduce((a, b) => (rate(b) > rate(a) ? b : a));
const peak = (results) => Math.max(...results.map((r) => r.rssMB));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
/** The least CPU time per event of any round, in µs. */
const cpuPerEvent = (results) => Math.min(...results.map((r) => (r.cpuMs * 1000) / r.events)).toFixed(1);

/**
 * Runs one round of both sides: the generated side first in odd rounds, the raw side first in
 * even ones, so that the machine speeding up or slowing down during the run favours neither.
 */
export async function inTurns(round, runs, generated, raw) {
  if (round % 2 === 1) {
    runs.generated.push(await generated());
    runs.raw.push(await raw());
  } else {
    runs.raw.push(await raw());
    runs.generated.push(await generated());
  }
}

/** Runs `sides` (name -> run) one after another, each round starting one further along the list. */
export async function inRotation(round, runs, sides) {
  const names = Object.keys(sides);
  for (let i = 0; i < names.length; i++) {
    const name = names[(round - 1 + i) % names.length];
    (runs[name] ??= []).push(await sides[name]());
  }
}

/**
 * Prints `title`, then per kind of run a line per side: its best rate, that rate over the best of
 * `baseline`, the median of that ratio within each round (the sides ran back to back), CPU time
 * per event and peak RSS.
 */
export function printTable(title, baseline, runs) {
  console.log(`\n${title}`);
  console.log(`${"".padEnd(34)}  best ev/s   vs ${baseline}   per round (median)   CPU µs/event   peak RSS`);
  for (const [kind, sides] of Object.entries(runs)) {
    const base = sides[baseline];
    for (const [name, results] of Object.entries(sides)) {
      const ratio = (rate(best(results)) / rate(best(base))).toFixed(2);
      const perRound = median(results.map((r, i) => rate(r) / rate(base[i]))).toFixed(2);
      console.log(
        `${`${kind} ${name}`.padEnd(34)}  ${String(rate(best(results))).padStart(9)}   ${ratio.padStart(5 + baseline.length)}   ${perRound.padStart(18)}   ${cpuPerEvent(results).padStart(12)}   ${String(peak(results)).padStart(5)} MB`,
      );
    }
  }
}

/**
 * Prints `title`, then per kind of run: the best rate of each side and the ratio of those, the
 * ratio within each round (both sides ran back to back) with its median, CPU per event and peak RSS.
 */
export function printResults(title, rawColumn, runs) {
  console.log(`\n${title}`);
  console.log(
    `            generated ev/s   ${rawColumn.padStart(16)}   ratio   ratio per round (median)   CPU µs/event gen / raw   peak RSS gen / raw`,
  );
  for (const [name, { generated, raw }] of Object.entries(runs)) {
    const ratio = (rate(best(generated)) / rate(best(raw))).toFixed(2);
    const perRound = generated.map((g, i) => rate(g) / rate(raw[i]));
    const rounds = `${perRound.map((r) => r.toFixed(2)).join(" ")} (${median(perRound).toFixed(2)})`;
    const cpu = `${cpuPerEvent(generated)} / ${cpuPerEvent(raw)}`;
    console.log(
      `${name.padEnd(10)}  ${String(rate(best(generated))).padStart(16)}   ${String(rate(best(raw))).padStart(16)}   ${ratio.padStart(5)}   ${rounds.padStart(24)}   ${cpu.padStart(22)}   ${peak(generated)} MB / ${peak(raw)} MB`,
    );
  }
}
