#!/usr/bin/env node
// Node.js keeps the compiled code of evgen and its dependencies in a cache between runs (in the
// system's temporary folder): a run then starts in about half the time. NODE_DISABLE_COMPILE_CACHE=1
// turns it off.
import module from "node:module";

module.enableCompileCache?.();
const { main } = await import("../dist/cli/main.js");

process.exitCode = await main(process.argv);
