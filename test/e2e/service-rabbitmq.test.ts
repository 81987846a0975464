// The built RabbitMQ service against the real broker (see service-scenario.ts).
import { AMQP_URL, hasRabbit } from "../support/brokers.js";
import { describeService } from "./service-scenario.js";

describeService("rabbitmq", await hasRabbit(), { AMQP_URL });
