// A window consumer of a built service on a real broker, through SIGKILL in the middle of a
// window: its state survives in the store (Redis or PostgreSQL), the restarted process closes the
// window, and exactly one summary per (user, window) arrives with every event counted once. The
// module of the summaries' recorder has lifecycle hooks: onStart publishes an event through ctx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/brokers.js";
import type { KafkaClientName } from "../support/kafka-clients.js";
import { createProject, type Project } from "../support/project.js";
import { ownTopic, specText, type Broker } from "../support/spec.js";
import { sleep, waitFor } from "../support/wait.js";
import {
  metrics,
  metricValue,
  postEvent,
  recorded,
  RECORDER,
  startService,
  type RunningService,
} from "./service-support.js";

const SIZE_MS = 10_000;
const GRACE_MS = 1_000;

function spec(service: string, broker: Broker, store: "redis" | "postgres", kafkaClient?: KafkaClientName): string {
  const own = { service, broker };
  return specText({
    ...own,
    ...(kafkaClient ? { kafka: { client: kafkaClient } } : {}),
    events: {
      "activity.recorded": {
        key: "userId",
        ...ownTopic(own, "activity"),
        schema: { userId: "string", points: "integer" },
      },
      "activity.summarized": {
        key: "userId",
        ...ownTopic(own, "summaries"),
        schema: { userId: "string", events: "integer", points: "integer", windowStart: "datetime" },
      },
      "service.started": { ...ownTopic(own, "starts"), schema: { pid: "integer" } },
    },
    consumers: {
      activity: {
        on: ["activity.recorded"],
        window: { size: `${SIZE_MS}ms`, by: "data.userId", grace: `${GRACE_MS}ms`, store },
        emits: ["activity.summarized"],
      },
      // No idempotency: a summary published twice would be recorded twice.
      summaries: { on: ["activity.summarized"], emits: ["service.started"], idempotency: "none" },
      starts: { on: ["service.started"], idempotency: "none" },
    },
  });
}

const HANDLERS: Record<string, string> = {
  activity: `import { defineAggregate } from "../generated/consumers/activity.js";
export default defineAggregate({
  initial: () => ({ events: 0, points: 0 }),
  add: (state, event) => ({ events: state.events + 1, points: state.points + event.data.points }),
  emit: (state, window) => ({ userId: window.key, events: state.events, points: state.points, windowStart: window.start }),
});`,
  summaries: `${RECORDER}
import { defineHandlers, type StartContext } from "../generated/consumers/summaries.js";
export async function onStart(ctx: StartContext) {
  await ctx.publish("service.started", { pid: process.pid });
}
export function onStop() {
  record({ consumer: "summaries", stopped: process.pid });
}
export default defineHandlers({
  "activity.summarized": (event, ctx) => record({ consumer: ctx.consumer, attempt: ctx.attempt, event }),
});`,
  starts: `${RECORDER}
import { defineHandlers } from "../generated/consumers/starts.js";
export default defineHandlers({
  "service.started": (event, ctx) => record({ consumer: ctx.consumer, attempt: ctx.attempt, event }),
});`,
};

interface Summary {
  userId: string;
  events: number;
  points: number;
  windowStart: string;
}

interface Line {
  consumer: string;
  stopped?: number;
  event?: { id: string; data: Record<string, unknown> };
}

export function describeWindowKill(
  broker: Broker,
  available: boolean,
  brokerEnv: Record<string, string>,
  store: "redis" | "postgres",
  kafkaClient?: KafkaClientName,
): void {
  describe.skipIf(!available)(
    `window consumer on ${broker}${kafkaClient ? ` (${kafkaClient})` : ""}, ${store} store`,
    () => {
      let project: Project;
      let log: string;
      const env = () => ({
        ...brokerEnv,
        LOG_LEVEL: "warn",
        E2E_LOG: log,
        REDIS_URL: "redis://127.0.0.1:6379",
        DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres",
        // A killed member leaves its Kafka group after this; the restart waits for it.
        KAFKA_SESSION_TIMEOUT_MS: "6000",
        SHUTDOWN_TIMEOUT: "5000",
      });
      const start = () => startService(project, env(), "/readyz", 90_000);

      beforeAll(async () => {
        const service = uniqueName(`win-${broker === "kafka" ? "k" : "r"}`);
        project = await createProject({ spec: spec(service, broker, store, kafkaClient), handlers: HANDLERS });
        log = project.path("handled.jsonl");
        await project.build();
      }, 180_000);
      afterAll(() => project?.cleanup());

      it("SIGKILL mid-window, restart: one summary per user and window, every event counted once", async () => {
        const lines = () => recorded<Line>(log);
        const summaries = () =>
          lines()
            .filter((line) => line.consumer === "summaries" && line.event)
            .map((line) => ({ id: line.event!.id, ...(line.event!.data as unknown as Summary) }));
        let first: RunningService | undefined = await start();
        try {
          // Starts the events with most of a window ahead, so the kill lands inside it.
          const intoWindow = Date.now() % SIZE_MS;
          if (intoWindow > 3_000) await sleep(SIZE_MS - intoWindow + 100);
          const before = [
            { userId: "ada", points: 1 },
            { userId: "ada", points: 2 },
            { userId: "bob", points: 10 },
            { userId: "ada", points: 4 },
            { userId: "bob", points: 20 },
          ];
          const windowStart = Math.floor(Date.now() / SIZE_MS) * SIZE_MS;
          for (const data of before) expect((await postEvent(first, "activity.recorded", data)).status).toBe(202);
          await waitFor(
            async () =>
              metricValue(await metrics(first!), "evgen_window_events_total", { outcome: "added" }) >= before.length,
            20_000,
            "the events to be added to their windows",
          );
          expect(Date.now(), "the kill must come before the window closes").toBeLessThan(windowStart + SIZE_MS);
          first.child.kill("SIGKILL");
          await new Promise((resolve) => first!.child.once("exit", resolve));
          first = undefined;
          expect(summaries()).toEqual([]);

          const second = await start();
          const after = [
            { userId: "ada", points: 100 },
            { userId: "bob", points: 1000 },
          ];
          for (const data of after) expect((await postEvent(second, "activity.recorded", data)).status).toBe(202);
          const total = (user: string, list: Array<{ userId: string; points: number }>) =>
            list.filter((d) => d.userId === user).reduce((sum, d) => sum + d.points, 0);
          const counted = (user: string) =>
            summaries()
              .filter((s) => s.userId === user)
              .reduce((sum, s) => sum + s.points, 0);
          await waitFor(
            () => ["ada", "bob"].every((user) => counted(user) >= total(user, [...before, ...after])),
            SIZE_MS * 3 + 30_000,
            () => `summaries of every event, got ${JSON.stringify(summaries())}`,
          );
          // A repeat would come within a closer tick or two.
          await sleep(2_000);
          const got = summaries();
          const windows = got.map((s) => `${s.userId}@${s.windowStart}`);
          expect(new Set(windows).size, `one summary per user and window: ${JSON.stringify(got)}`).toBe(got.length);
          expect(new Set(got.map((s) => s.id)).size).toBe(got.length);
          for (const user of ["ada", "bob"]) expect(counted(user)).toBe(total(user, [...before, ...after]));
          // The window the process was killed in was closed by the restarted one, with its events
          // from before the kill (and those after, when the restart was quick enough to join it).
          const killedIn = got.filter((s) => Date.parse(s.windowStart) === windowStart);
          expect(killedIn.map((s) => s.userId).sort()).toEqual(["ada", "bob"]);
          const points = Object.fromEntries(killedIn.map((s) => [s.userId, [s.events, s.points]]));
          expect([
            [3, 7],
            [4, 107],
          ]).toContainEqual(points.ada);
          expect([
            [2, 30],
            [3, 1030],
          ]).toContainEqual(points.bob);
          const late = metricValue(await metrics(second), "evgen_window_events_total", { outcome: "late" });
          expect(late).toBe(0);

          // onStart published through ctx on each start; onStop ran on SIGTERM.
          await waitFor(
            () => lines().filter((line) => line.consumer === "starts").length >= 2,
            20_000,
            "service.started from both starts",
          );
          expect(await second.stop()).toBe(0);
          expect(lines().filter((line) => line.stopped === second.child.pid)).toHaveLength(1);
        } finally {
          first?.child.kill("SIGKILL");
        }
      }, 240_000);
    },
  );
}
