// A process for logging.test.ts: writes LINES log lines through the service's logger, says so on
// stderr (synchronously), then idles until it is killed.
import { writeSync } from "node:fs";
import { createLogger } from "../../templates/runtime/core/logger.js";

const log = createLogger({ name: "logging-fixture" });
const lines = Number(process.env.LINES);
for (let i = 0; i < lines; i++) log.info({ i }, "a line of the burst");
writeSync(2, "logged\n");
setInterval(() => undefined, 60_000);
