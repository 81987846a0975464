// /readyz of the built RabbitMQ service across `rabbitmqctl stop_app` / `start_app`.
import { AMQP_URL, hasRabbit } from "../support/brokers.js";
import { rabbitmqctl } from "../support/rabbitmqctl.js";
import { describeReadiness } from "./service-readiness.js";

describeReadiness(
  "rabbitmq",
  await hasRabbit(),
  { AMQP_URL },
  {
    stop: () => rabbitmqctl("stop_app"),
    start: async () => {
      await rabbitmqctl("start_app");
      await rabbitmqctl("await_startup");
    },
  },
);
