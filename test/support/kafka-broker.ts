// scripts/kafka.sh for the tests that stop and start the broker (disruptive): it manages the
// broker on KAFKA_PORT (default 9092), so it refuses to act when KAFKA_BROKERS names another one,
// rather than restart a broker the test is not using.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { KAFKA_BROKERS } from "./brokers.js";

const KAFKA_SH = fileURLToPath(new URL("../../scripts/kafka.sh", import.meta.url));

export function kafkaSh(command: "start" | "stop"): Promise<unknown> {
  const managed = `127.0.0.1:${process.env.KAFKA_PORT ?? "9092"}`;
  if (KAFKA_BROKERS.length !== 1 || KAFKA_BROKERS[0] !== managed) {
    return Promise.reject(
      new Error(`scripts/kafka.sh manages ${managed} (KAFKA_PORT), but the tests use ${KAFKA_BROKERS.join(",")}`),
    );
  }
  return promisify(execFile)("bash", [KAFKA_SH, command], { timeout: 180_000 });
}
