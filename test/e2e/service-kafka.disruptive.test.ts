// /readyz of the built Kafka service across `scripts/kafka.sh stop` / `start`.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { describeReadiness } from "./service-readiness.js";

const KAFKA_SH = fileURLToPath(new URL("../../scripts/kafka.sh", import.meta.url));
const kafkaSh = (command: "start" | "stop") =>
  promisify(execFile)("bash", [KAFKA_SH, command], { timeout: 180_000 });

describeReadiness(
  "kafka",
  await hasKafka(),
  { KAFKA_BROKERS: KAFKA_BROKERS.join(",") },
  {
    stop: () => kafkaSh("stop"),
    start: () => kafkaSh("start"),
  },
);
