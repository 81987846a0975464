// A generated RabbitMQ service, built and run as a process, while the broker closes every
// connection and, separately, stops and starts again, in the middle of a stream of events from
// the generated publisher: both come back by themselves, /readyz says so, and every confirmed
// event is handled.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AMQP_URL, hasRabbit, RABBIT_VHOST, uniqueName } from "../support/brokers.js";
import { createProject, type Project } from "../support/project.js";
import { rabbitmqctl } from "../support/rabbitmqctl.js";
import { publishStream } from "../runtime/rabbitmq-resilience.js";
import { restartBrokerApp } from "../runtime/rabbitmq-support.js";
import { freePort, recorded, RECORDER, serviceReady, type RunningService } from "./service-support.js";

const service = uniqueName("e2e-rmq-down");
const SPEC = `evgen: 1
service: ${service}
broker: rabbitmq
events:
  order.created:
    schema:
      orderId: uuid
consumers:
  mailer:
    on: [order.created]
    concurrency: 4
`;

const HANDLERS = {
  mailer: `${RECORDER}
import { defineHandlers } from "../generated/consumers/mailer.js";
export default defineHandlers({
  "order.created": (event, ctx) => record({ consumer: "mailer", attempt: ctx.attempt, event }),
});`,
};

interface GeneratedPublisher {
  publish(type: string, data: unknown): Promise<string>;
  close(): Promise<void>;
}

// Closing "all" connections is limited to the test run's vhost (see test/support/global-setup.ts):
// disruptive tests run alone, so those are this test's own.
describe.skipIf(!(await hasRabbit()))("generated RabbitMQ service through broker failures", () => {
  let project: Project;
  let publisher: GeneratedPublisher;
  let running: RunningService;
  const handled = () => new Set(recorded(project.path("handled.jsonl")).map((line) => line.event.id));

  beforeAll(async () => {
    project = await createProject({ spec: SPEC, handlers: HANDLERS });
    await project.build();
    const generated = (await import(project.path("dist/generated/index.js"))) as {
      createPublisher(options: { env: Record<string, string> }): GeneratedPublisher;
    };
    publisher = generated.createPublisher({ env: { AMQP_URL, LOG_LEVEL: "error" } }); // reconnect warnings expected
    const port = await freePort();
    const child = project.start({
      PORT: String(port),
      AMQP_URL,
      LOG_LEVEL: "warn",
      E2E_LOG: project.path("handled.jsonl"),
    });
    running = await serviceReady(child, port);
  }, 240_000);

  afterAll(async () => {
    expect(await running?.stop()).toBe(0);
    await publisher?.close();
    await project?.cleanup();
  });

  it.each([
    [
      "the broker closes every connection",
      () => rabbitmqctl("close_all_connections", "--vhost", RABBIT_VHOST, "--limit", "100", "test"),
    ],
    ["the broker application stops and starts again", () => restartBrokerApp()],
  ])(
    "reconnects by itself when %s mid-stream; every confirmed event is handled",
    { timeout: 180_000 },
    async (_case, disrupt) => {
      const before = handled().size;
      const stream = publishStream(() => publisher.publish("order.created", { orderId: randomUUID() }));
      try {
        await vi.waitFor(() => expect(handled().size).toBeGreaterThan(before + 300), {
          timeout: 30_000,
          interval: 100,
        });
        await disrupt();
        const confirmedBefore = stream.confirmed.length;
        await vi.waitFor(() => expect(stream.confirmed.length).toBeGreaterThan(confirmedBefore + 500), {
          timeout: 60_000,
        });
      } finally {
        await stream.stop();
      }

      await vi.waitFor(
        () => {
          const seen = handled();
          expect(stream.confirmed.filter((id) => !seen.has(id))).toEqual([]);
        },
        { timeout: 60_000, interval: 200 },
      );
      expect(stream.rejected).toEqual([]);
      // Each connection reconnects on its own backoff (at most 15 s apart): the one that carried no
      // traffic since the disruption may come back last.
      await vi.waitFor(async () => expect((await fetch(running.url("/readyz"))).status).toBe(200), {
        timeout: 30_000,
        interval: 250,
      });
    },
  );
});
