// The generated project the service end-to-end tests run: a spec with three consumers (two of
// the same event), handlers that record every call and fail on request, built once per file.
import { uniqueName } from "../support/brokers.js";
import type { KafkaClientName } from "../support/kafka-clients.js";
import { createProject, type Project } from "../support/project.js";
import { mailer, notificationSent, notifier, ownTopic, specText, type Broker } from "../support/spec.js";
import { RECORDER, startService, type RunningService } from "./service-support.js";

export type { Broker };

function spec(service: string, broker: Broker, kafkaClient?: KafkaClientName): string {
  const own = { service, broker };
  return specText({
    ...own,
    ...(kafkaClient ? { kafka: { client: kafkaClient } } : {}),
    events: {
      "order.created": {
        key: "orderId",
        ...ownTopic(own, "orders"),
        schema: { orderId: "uuid", userId: "string", "note?": "string" },
      },
      "notification.sent": notificationSent(ownTopic(own, "notifications")),
    },
    consumers: { mailer: mailer("200ms"), auditor: { on: ["order.created"] }, notifier },
  });
}

// userId "flaky" fails twice; "doomed" fails until the file E2E_FIXED exists (the fix is
// deployed); "notify" publishes a notification.
const HANDLERS: Record<string, string> = {
  mailer: `${RECORDER}
import { existsSync } from "node:fs";
import { defineHandlers } from "../generated/consumers/mailer.js";
export default defineHandlers({
  "order.created": async (event, ctx) => {
    record({ consumer: ctx.consumer, attempt: ctx.attempt, event });
    const { userId, orderId } = event.data;
    if (userId === "flaky" && ctx.attempt < 3) throw new Error("flaky " + ctx.attempt);
    if (userId === "doomed" && !existsSync(process.env.E2E_FIXED!)) throw new Error("mail server down");
    if (userId === "notify") await ctx.publish("notification.sent", { orderId, channel: "email" });
  },
});`,
  auditor: `${RECORDER}
import { defineHandlers } from "../generated/consumers/auditor.js";
export default defineHandlers({
  "order.created": (event, ctx) => record({ consumer: ctx.consumer, attempt: ctx.attempt, event }),
});`,
  notifier: `${RECORDER}
import { defineHandlers } from "../generated/consumers/notifier.js";
export default defineHandlers({
  "notification.sent": (event, ctx) => record({ consumer: ctx.consumer, attempt: ctx.attempt, event }),
});`,
};

export interface ServiceProject {
  project: Project;
  service: string;
  /** Where the handlers record their calls. */
  log: string;
  /** Created to "deploy the fix" for userId "doomed". */
  fixed: string;
  /** Starts `node dist/generated/main.js` with `env` and waits for GET `readyPath` to answer 200. */
  start(env?: Record<string, string>, readyPath?: "/readyz" | "/healthz"): Promise<RunningService>;
}

/**
 * Generates and builds the project; `brokerEnv` points the service at the test broker, and on
 * Kafka `kafkaClient` is its spec's `kafka.client`.
 */
export async function buildServiceProject(
  broker: Broker,
  brokerEnv: Record<string, string>,
  kafkaClient?: KafkaClientName,
): Promise<ServiceProject> {
  const service = uniqueName(`svc-${broker === "kafka" ? "k" : "r"}`);
  const project = await createProject({ spec: spec(service, broker, kafkaClient), handlers: HANDLERS });
  await project.build().catch(async (error: unknown) => {
    await project.cleanup();
    throw error;
  });
  const log = project.path("handled.jsonl");
  const fixed = project.path("fixed");
  return {
    project,
    service,
    log,
    fixed,
    start: (env = {}, readyPath = "/readyz") =>
      startService(
        project,
        { ...brokerEnv, LOG_LEVEL: "warn", E2E_LOG: log, E2E_FIXED: fixed, ...env },
        readyPath,
        90_000,
      ),
  };
}
