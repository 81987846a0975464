// Window consumers of built services through SIGKILL (see service-window.ts): Kafka on each client
// and RabbitMQ, with the windows in Redis and in PostgreSQL.
import { AMQP_URL, hasKafka, hasPostgres, hasRabbit, hasRedis, KAFKA_BROKERS } from "../support/brokers.js";
import { describeWindowKill } from "./service-window.js";

const stores = (await hasRedis()) && (await hasPostgres());
const kafka = { KAFKA_BROKERS: KAFKA_BROKERS.join(",") };
describeWindowKill("kafka", stores && (await hasKafka()), kafka, "redis", "kafkajs");
describeWindowKill("kafka", stores && (await hasKafka()), kafka, "postgres", "platformatic");
describeWindowKill("rabbitmq", stores && (await hasRabbit()), { AMQP_URL }, "redis");
describeWindowKill("rabbitmq", stores && (await hasRabbit()), { AMQP_URL }, "postgres");
