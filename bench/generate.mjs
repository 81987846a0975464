// npm run bench:generate — wall time, CPU time and peak memory of `evgen generate` on synthetic
// specs of 10, 100 and 1000 events (bench/synth-spec.py: 2 versions per event, a consumer per 4
// events): cold (empty directory) and `--check` on an unchanged project. Each figure is the median
// of a few fresh processes, so node's own start-up is included.
//
// When the AsyncAPI CLI is installed in .cache/asyncapi (it needs Node.js 24:
// `npm install --prefix .cache/asyncapi @asyncapi/cli`), each round also runs its
// `generate models typescript` on the same spec written as AsyncAPI 3.0, right after evgen's cold
// run, and the table gives evgen's time as a share of it. That CLI writes payload models only; evgen
// writes the whole service.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const RUN = new URL("./generate-run.mjs", import.meta.url).pathname;
const SYNTH = new URL("./synth-spec.py", import.meta.url).pathname;
const ASYNCAPI = new URL("../.cache/asyncapi/node_modules/.bin/asyncapi", import.meta.url).pathname;
const SIZES = (process.env.BENCH_SIZES ?? "10,100,1000").split(",").map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);

function timed(command, args, cwd, { report = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe", "pipe"] });
    let output = "";
    let stats = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.stdio[3].on("data", (chunk) => (stats += chunk));
    child.on("exit", (code) => {
      const ms = performance.now() - started;
      // --check exits 1 only if evgen's own templates changed between the two runs (a live checkout).
      const drift = code === 1 && args.includes("--check");
      if (code === 0 || drift) resolve({ ms, drift, ...(report ? JSON.parse(stats) : {}) });
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`));
    });
  });
}

const evgen = (args, cwd) => timed(process.execPath, [RUN, ...args], cwd, { report: true });
const asyncapi = (cwd) =>
  timed(ASYNCAPI, ["generate", "models", "typescript", "asyncapi.yaml", "-o", "models", "--no-interactive"], cwd);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(events) {
  const runs = { cold: [], check: [], asyncapi: [] };
  for (let i = 0; i < REPEAT; i++) {
    const dir = mkdtempSync(join(tmpdir(), "evgen-bench-"));
    try {
      mkdirSync(dir, { recursive: true });
      execFileSync("python3", [SYNTH, String(events), dir]);
      runs.cold.push(await evgen(["generate"], dir));
      if (existsSync(ASYNCAPI)) runs.asyncapi.push(await asyncapi(dir));
      runs.check.push(await evgen(["generate", "--check"], dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runs;
}

const ms = (runs) => median(runs.map((r) => r.ms));
const row = (label, runs, versus) =>
  label.padEnd(24) +
  `${ms(runs).toFixed(0)} ms`.padStart(10) +
  `${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms`.padStart(10) +
  `${(Math.max(...runs.map((r) => r.maxRssBytes)) / 2 ** 20).toFixed(0)} MiB`.padStart(12) +
  (versus ? `${ms(versus).toFixed(0)} ms`.padStart(12) + `${(ms(runs) / ms(versus)).toFixed(2)}×`.padStart(8) : "") +
  (runs.some((r) => r.drift) ? "  (templates changed during the run)" : "");

console.log(`evgen generate, median of ${REPEAT} fresh processes`);
console.log("targets: 100 events cold ≤ 0.1× the AsyncAPI CLI, --check ≤ 0.15 s; 1000 events cold ≤ 2 s, < 200 MiB");
console.log(`load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores; Node.js ${process.version}`);
if (!existsSync(ASYNCAPI)) console.log("(AsyncAPI CLI not installed in .cache/asyncapi: no comparison)");
console.log(
  `\n${"".padEnd(24)}${"wall".padStart(10)}${"CPU".padStart(10)}${"peak RSS".padStart(12)}` +
    (existsSync(ASYNCAPI) ? `${"AsyncAPI".padStart(12)}${"ratio".padStart(8)}` : ""),
);
for (const events of SIZES) {
  const runs = await measure(events);
  console.log(row(`${events} events, cold`, runs.cold, runs.asyncapi.length > 0 ? runs.asyncapi : undefined));
  console.log(row(`${events} events, --check`, runs.check));
}
