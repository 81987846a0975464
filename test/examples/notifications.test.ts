// examples/notifications: its scenario on RabbitMQ and Redis, with the SMS provider down (the
// circuit opens), a SIGKILL halfway, opted-out users skipped and invalid device tokens
// dead-lettered (see example.ts for what every example gets).
import { expect } from "vitest";
import { AMQP_URL, hasRabbit, hasRedis, REDIS_URL } from "../support/brokers.js";
import { describeExample } from "./example.js";

describeExample({
  name: "notifications",
  available: (await hasRabbit()) && (await hasRedis()),
  // The run's own virtual host (test/support/global-setup.ts).
  env: { AMQP_URL: process.env.AMQP_URL ?? AMQP_URL, REDIS_URL, E2E_TRIGGERS: "120" },
  expectFigures(figures) {
    // 120 triggers for 40 users: 80 orders shipped (email, push, SMS), 40 password resets (email,
    // SMS); a user in four turned SMS off, one in five email; one order in ten has a dead device.
    expect(figures).toMatchObject({
      triggersPosted: 120,
      notificationsRequested: 320,
      sent: 258,
      skippedOptedOut: 54,
      deadLettered: 8,
      sigkills: 1,
    });
  },
});
