// The end-to-end scenario against real Kafka and Redis (`npm run build && npm run e2e`;
// KAFKA_BROKERS and REDIS_URL as for the service). A user service's activity arrives over HTTP
// (page views of both schema versions, clicks, sign-ups, some from bots, a few on URLs that are not
// web pages); the service is SIGKILLed halfway and started again; the scenario waits for the
// per-user-per-minute summaries and checks that they add up to exactly what was posted: nothing
// lost, nothing counted twice; the bad URLs are dead letters. Prints its figures as one JSON line.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createRedisSummaryStore } from "../src/store/summaries.js";
import {
  check,
  deadLetterIds,
  metric,
  postEvent,
  startService,
  waitFor,
} from "./e2e-support.js";

const ACTIVITIES = Number(process.env.E2E_ACTIVITIES ?? 400);
const USERS = 20;
const env = {
  LOG_LEVEL: "warn",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  // A killed instance keeps its partitions this long: the restart waits for it.
  KAFKA_SESSION_TIMEOUT_MS: "6000",
  SHUTDOWN_TIMEOUT: "5000",
};
const start = () => startService("dist/generated/main.js", env);
const log = (line: string) => console.log(`[user-analytics e2e] ${line}`);
const CLIENTS = [
  { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0" },
  { userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148" },
  { userAgent: "Googlebot/2.1 (+http://www.google.com/bot.html)" },
];

async function main() {
  const store = createRedisSummaryStore(new Redis(env.REDIS_URL));
  const run = randomUUID().slice(0, 8);
  const users = Array.from({ length: USERS }, (_, i) => `${run}-u${i}`);
  const posted = new Map<
    string,
    { events: number; pageViews: number; clicks: number; signUps: number }
  >(users.map((u) => [u, { events: 0, pageViews: 0, clicks: 0, signUps: 0 }]));
  const badIds: string[] = [];

  let service = await start();
  async function activity(n: number) {
    const userId = users[n % USERS]!;
    const client = CLIENTS[n % CLIENTS.length]!;
    const counts = posted.get(userId)!;
    if (n % 97 === 13) {
      // Not a web page: normalize dead-letters it, and no summary counts it.
      badIds.push(
        await postEvent(service, "activity.clicked", {
          userId,
          url: `ftp://files.example.com/${n}`,
          elementId: "x",
          client,
        }),
      );
      return;
    }
    if (n % 10 === 0) {
      await postEvent(service, "activity.signed-up", {
        userId,
        plan: "free",
        client,
      });
      counts.signUps++;
    } else if (n % 3 === 0) {
      await postEvent(service, "activity.clicked", {
        userId,
        url: `https://shop.example.com/p/${n % 7}`,
        elementId: "buy",
        client,
      });
      counts.clicks++;
    } else {
      // Version 2 (the latest) from this producer; version 1 payloads are valid version 2 ones.
      await postEvent(service, "activity.page-viewed", {
        userId,
        url: `https://shop.example.com/p/${n % 7}/`,
        client,
        ...(n % 2 ? { durationMs: n } : {}),
      });
      counts.pageViews++;
    }
    counts.events++;
  }

  const half = Math.floor(ACTIVITIES / 2);
  for (let n = 0; n < half; n++) await activity(n);
  await service.kill();
  log(`SIGKILL after ${half} activities`);
  service = await start();
  for (let n = half; n < ACTIVITIES; n++) await activity(n);
  log(`restarted, posted the other ${ACTIVITIES - half}`);

  // The summaries of the minutes the activity fell in come 5 s after each minute ends.
  const summed = async () => {
    const all = Object.values(await store.all("user-minute")) as Array<{
      userId: string;
      events: number;
      pageViews: number;
      clicks: number;
      signUps: number;
    }>;
    const sums = new Map<
      string,
      {
        events: number;
        pageViews: number;
        clicks: number;
        signUps: number;
        windows: number;
      }
    >();
    for (const s of all.filter((s) => posted.has(s.userId))) {
      const sum = sums.get(s.userId) ?? {
        events: 0,
        pageViews: 0,
        clicks: 0,
        signUps: 0,
        windows: 0,
      };
      sums.set(s.userId, {
        events: sum.events + s.events,
        pageViews: sum.pageViews + s.pageViews,
        clicks: sum.clicks + s.clicks,
        signUps: sum.signUps + s.signUps,
        windows: sum.windows + 1,
      });
    }
    return sums;
  };
  let missing = ACTIVITIES;
  await waitFor(
    async () => {
      const sums = await summed();
      missing = [...posted].reduce(
        (left, [user, want]) =>
          left + want.events - (sums.get(user)?.events ?? 0),
        0,
      );
      return missing <= 0;
    },
    150_000,
    () => `every activity in a per-minute summary (${missing} not yet)`,
  );
  const sums = await summed();
  for (const [user, want] of posted) {
    const got = sums.get(user)!;
    check(
      got.events === want.events &&
        got.pageViews === want.pageViews &&
        got.clicks === want.clicks &&
        got.signUps === want.signUps,
      `${user}: posted ${JSON.stringify(want)}, summed ${JSON.stringify(got)}`,
    );
  }
  let dead: string[] = [];
  await waitFor(
    async () =>
      (dead = (await deadLetterIds("normalize", env)).filter((id) =>
        badIds.includes(id),
      )).length >= badIds.length,
    30_000,
    () => `${badIds.length} dead letters in normalize (${dead.length} so far)`,
  );
  check(new Set(dead).size === badIds.length, "every bad URL is a dead letter");

  const figures = {
    scenario: "user-analytics",
    activitiesPosted: ACTIVITIES,
    summarized: [...sums.values()].reduce((n, s) => n + s.events, 0),
    userMinuteSummaries: [...sums.values()].reduce((n, s) => n + s.windows, 0),
    deadLettered: new Set(dead).size,
    handledByNormalizeAfterRestart: await metric(
      service,
      "evgen_events_handled_total",
      { consumer: "normalize" },
    ),
    normalizeLag: await metric(service, "evgen_consumer_lag", {
      consumer: "normalize",
    }),
    sigkills: 1,
  };
  check(
    (await service.stop()) === 0,
    "a SIGTERM drains the service and exits 0",
  );
  await store.close();
  log("all checks passed");
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(
    `[user-analytics e2e] ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
