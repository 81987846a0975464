#!/usr/bin/env node
// Node.js keeps the compiled code of evgen and its dependencies in a cache between runs (in the
// system's temporary folder): a run then starts in about half the time. NODE_DISABLE_COMPILE_CACHE=1
// turns it off.
import module from "node:module";
import { setFlagsFromString } from "node:v8";

// The young generation stays at its first size instead of growing: a large spec leaves much
// short-lived garbage, and collecting it more often keeps the peak memory of generating 1000 events
// at 123 MiB instead of 184 MiB, for no more CPU time (measured in turns; docs/architecture.md, Speed).
setFlagsFromString("--semi-space-growth-factor=1");
module.enableCompileCache?.();
const { main } = await import("../dist/bundle/main.js");

process.exitCode = await main(process.argv);
