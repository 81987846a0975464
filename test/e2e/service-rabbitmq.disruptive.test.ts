// /readyz of the built RabbitMQ service across `rabbitmqctl stop_app` / `start_app`.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AMQP_URL, hasRabbit } from "../support/brokers.js";
import { describeReadiness } from "./service-readiness.js";

const rabbitmqctl = (...args: string[]) => promisify(execFile)("rabbitmqctl", args, { timeout: 120_000 });

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
