// kafkajs 2.2.4 (its latest release) arms a timer of `throttledUntil - Date.now()` ms, a negative
// number, every time a connection's request queue empties: Node 24 prints a TimeoutNegativeWarning
// for it, and the 1 ms timer it becomes re-arms itself for as long as the queue stays empty
// (kafkajs issues 1751 and 1704; the fixes are unreleased). With nothing pending and no broker
// throttle in force there is nothing to check later, so no timer is armed: a request pushed
// later is sent at once or re-arms the check itself. Imported for its effect by the modules that
// create kafkajs clients; only the exact version it was written against is patched.
import { createRequire } from "node:module";

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

const require = createRequire(import.meta.url);
const PATCHED_VERSION = "2.2.4";

if ((require("kafkajs/package.json") as { version: string }).version === PATCHED_VERSION) {
  const queue = (require("kafkajs/src/network/requestQueue/index.js") as { prototype: RequestQueue }).prototype;
  const schedule = queue.scheduleCheckPendingRequests;
  queue.scheduleCheckPendingRequests = function (this: RequestQueue): void {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
}
