// One evgen run for bench/generate.mjs: the built CLI in this process, then its peak memory and CPU time
// on fd 3.
import { writeSync } from "node:fs";
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv);
const usage = process.resourceUsage();
writeSync(
  3,
  JSON.stringify({ maxRssBytes: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }),
);
