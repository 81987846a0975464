// /readyz of the built Kafka service across `scripts/kafka.sh stop` / `start`, on each client.
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { kafkaSh } from "../support/kafka-broker.js";
import { KAFKA_CLIENTS } from "../support/kafka-clients.js";
import { describeReadiness } from "./service-readiness.js";

const available = await hasKafka();
for (const { client } of KAFKA_CLIENTS) {
  describeReadiness(
    "kafka",
    available,
    { KAFKA_BROKERS: KAFKA_BROKERS.join(",") },
    { stop: () => kafkaSh("stop"), start: () => kafkaSh("start") },
    client,
  );
}
