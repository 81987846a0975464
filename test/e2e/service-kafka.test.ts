// The built Kafka service against the real broker (see service-scenario.ts), on each client.
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { KAFKA_CLIENTS } from "../support/kafka-clients.js";
import { describeService } from "./service-scenario.js";

const available = await hasKafka();
for (const { client } of KAFKA_CLIENTS) {
  describeService("kafka", available, { KAFKA_BROKERS: KAFKA_BROKERS.join(",") }, client);
}
