// One evgen run for bench/generate.mjs: the CLI as bin/evgen.js starts it, in this process, then
// its peak memory and CPU time on fd 3.
import { writeSync } from "node:fs";

await import("../bin/evgen.js");
const usage = process.resourceUsage();
writeSync(
  3,
  JSON.stringify({ maxRssBytes: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }),
);
