// The generated project the service end-to-end tests run: a spec with three consumers (two of
// the same event), handlers that record every call and fail on request, built once per file.
import { uniqueName } from "../support/brokers.js";
import { createProject, type Project } from "../support/project.js";
import { RECORDER, freePort, serviceReady, type RunningService } from "./service-support.js";

export type Broker = "kafka" | "rabbitmq";

function spec(service: string, broker: Broker): string {
  const topic = (name: string) => (broker === "kafka" ? `\n    topic: ${service}.${name}` : "");
  return `evgen: 1
service: ${service}
broker: ${broker}
events:
  order.created:
    key: orderId${topic("orders")}
    schema:
      orderId: uuid
      userId: string
      note?: string
  notification.sent:${topic("notifications")}
    schema:
      orderId: uuid
      channel: string
consumers:
  mailer:
    on: [order.created]
    emits: [notification.sent]
    retry: { attempts: 3, delay: 200ms, backoff: fixed }
  auditor:
    on: [order.created]
  notifier:
    on: [notification.sent]
`;
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

/** Generates and builds the project; `brokerEnv` points the service at the test broker. */
export async function buildServiceProject(
  broker: Broker,
  brokerEnv: Record<string, string>,
): Promise<ServiceProject> {
  const service = uniqueName(`svc-${broker === "kafka" ? "k" : "r"}`);
  const project = await createProject({ spec: spec(service, broker), handlers: HANDLERS });
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
    async start(env = {}, readyPath = "/readyz") {
      const port = await freePort();
      const child = project.start({
        ...brokerEnv,
        PORT: String(port),
        LOG_LEVEL: "warn",
        E2E_LOG: log,
        E2E_FIXED: fixed,
        ...env,
      });
      return serviceReady(child, port, readyPath, 90_000);
    },
  };
}
