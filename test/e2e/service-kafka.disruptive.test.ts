// /readyz of the built Kafka service across `scripts/kafka.sh stop` / `start`.
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { kafkaSh } from "../support/kafka-broker.js";
import { describeReadiness } from "./service-readiness.js";

describeReadiness(
  "kafka",
  await hasKafka(),
  { KAFKA_BROKERS: KAFKA_BROKERS.join(",") },
  {
    stop: () => kafkaSh("stop"),
    start: () => kafkaSh("start"),
  },
);
