// npm run bench:generate — wall time, CPU time and peak memory of `evgen generate` on synthetic
// specs of 10, 100 and 1000 events: cold (empty directory) and `--check` on an unchanged project.
// Each figure is the median of a few runs of a fresh process, so node's own start-up is included.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const RUN = new URL("./generate-run.mjs", import.meta.url).pathname;
const SIZES = [10, 100, 1000];
const REPEAT = 3;

function syntheticSpec(events) {
  const lines = [
    "evgen: 1",
    "service: bench",
    "broker: kafka",
    "types:",
    "  Item: { sku: string, qty: integer, price: { type: number, minimum: 0 } }",
    "events:",
  ];
  for (let i = 0; i < events; i++) {
    lines.push(
      `  area-${i}.happened:`,
      `    description: Synthetic event ${i}.`,
      "    key: id",
      "    schema:",
      "      id: uuid",
      "      name: { type: string, minLength: 1, maxLength: 200 }",
      "      amount: { type: number, minimum: 0 }",
      "      items: Item[]",
      "      note?: string",
      "      at: datetime",
    );
  }
  lines.push("consumers:");
  for (let c = 0; c * 10 < events; c++) {
    const on = Array.from({ length: Math.min(10, events - c * 10) }, (_, k) => `area-${c * 10 + k}.happened`);
    lines.push(
      `  consumer-${c}:`,
      `    on: [${on.join(", ")}]`,
      `    emits: [area-0.happened]`,
      "    retry: { attempts: 3, delay: 1s }",
    );
  }
  return `${lines.join("\n")}\n`;
}

function evgen(args, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [RUN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe", "pipe"] });
    let report = "";
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stdio[3].on("data", (chunk) => (report += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (code) => {
      const ms = performance.now() - started;
      // --check exits 1 only if evgen's own templates changed between the two runs (a live checkout).
      if (code === 0 || (code === 1 && args.includes("--check")))
        resolve({ ms, drift: code === 1, ...JSON.parse(report) });
      else reject(new Error(`evgen ${args.join(" ")} exited ${code}:\n${stdout}${stderr}`));
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(events) {
  const cold = [];
  const check = [];
  for (let i = 0; i < REPEAT; i++) {
    const dir = mkdtempSync(join(tmpdir(), "evgen-bench-"));
    try {
      writeFileSync(join(dir, "evgen.yaml"), syntheticSpec(events));
      cold.push(await evgen(["generate"], dir));
      check.push(await evgen(["generate", "--check"], dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { events, cold, check };
}

const row = (label, runs) =>
  label.padEnd(24) +
  `${median(runs.map((r) => r.ms)).toFixed(0)} ms`.padStart(10) +
  `${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms`.padStart(10) +
  `${(Math.max(...runs.map((r) => r.maxRssBytes)) / 2 ** 20).toFixed(0)} MiB`.padStart(12) +
  (runs.some((r) => r.drift) ? "  (templates changed during the run)" : "");

console.log(`evgen generate, median of ${REPEAT} fresh processes (targets: 100 events cold < 1 s, --check < 0.3 s)\n`);
console.log(`load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores\n`);
console.log(`${"".padEnd(24)}${"wall".padStart(10)}${"CPU".padStart(10)}${"peak RSS".padStart(12)}`);
for (const events of SIZES) {
  const { cold, check } = await measure(events);
  console.log(row(`${events} events, cold`, cold));
  console.log(row(`${events} events, --check`, check));
}
