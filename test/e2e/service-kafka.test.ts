// The built Kafka service against the real broker (see service-scenario.ts).
import { hasKafka, KAFKA_BROKERS } from "../support/brokers.js";
import { describeService } from "./service-scenario.js";

describeService("kafka", await hasKafka(), { KAFKA_BROKERS: KAFKA_BROKERS.join(",") });
