// The end-to-end scenario against real RabbitMQ and Redis (`npm run build && npm run e2e`;
// AMQP_URL and REDIS_URL as for the service). Users set their preferences, then triggers arrive
// over HTTP while the SMS provider is down (send-sms's circuit opens and the messages wait); the
// service is SIGKILLed halfway and started again with the provider back. Every notification must
// end as the scenario predicts: sent, skipped (the user opted out), or dead-lettered (an invalid
// device token). Prints its figures as one JSON line at the end; exits 1 on the first failed check.
import { randomUUID } from "node:crypto";
import { nameBasedId } from "../src/domain/routing.js";
import type { Recipient } from "../src/generated/events.js";
import { createRedisStore } from "../src/store/redis-store.js";
import type { Channel } from "../src/store/store.js";
import { Redis } from "ioredis";
import {
  check,
  dlq,
  metric,
  postEvent,
  startService,
  waitFor,
  type Service,
} from "./e2e-support.js";

const TRIGGERS = Number(process.env.E2E_TRIGGERS ?? 120);
const USERS = 40;
const env = {
  LOG_LEVEL: "warn",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
};
const start = (extra: Record<string, string> = {}) =>
  startService("dist/generated/main.js", { ...env, ...extra });
const log = (line: string) => console.log(`[notifications e2e] ${line}`);

type Expected = "sent" | "skipped" | "dead-lettered";

async function main() {
  const store = createRedisStore(new Redis(env.REDIS_URL));
  const run = randomUUID().slice(0, 8);
  const users = Array.from({ length: USERS }, (_, i) => `${run}-u${i}`);
  const optedOut = (i: number, channel: Channel) =>
    (channel === "sms" && i % 4 === 0) || (channel === "email" && i % 5 === 0);
  const recipient = (i: number, trigger: number): Recipient => ({
    userId: users[i]!,
    email: `user${i}@example.com`,
    phone: `+49151${String(1000000 + i)}`,
    // One order shipped in ten goes to a device that is not registered any more.
    deviceToken:
      trigger % 10 === 3 ? `invalid-${run}-${trigger}` : `device-${run}-${i}`,
    locale: (["en", "de", "fr"] as const)[i % 3]!,
  });

  let service = await start({ FAKE_SMS_OUTAGE: "true" });
  for (const [i, userId] of users.entries())
    for (const channel of ["email", "sms", "push"] as const)
      await postEvent(service, "preference.updated", {
        userId,
        channel,
        enabled: !optedOut(i, channel),
        at: new Date().toISOString(),
      });
  await waitFor(
    async () =>
      (await metric(service, "evgen_events_handled_total", {
        consumer: "preferences",
      })) ===
      USERS * 3,
    30_000,
    () => "every preference stored",
  );

  // What each notification must become: its id is the trigger's event id and the channel.
  const expected = new Map<string, Expected>();
  async function trigger(t: number) {
    const i = t % USERS;
    const isOrder = t % 3 !== 2;
    const r = recipient(i, t);
    const id = isOrder
      ? await postEvent(service, "order.shipped", {
          orderId: randomUUID(),
          recipient: r,
          carrier: "dhl",
        })
      : await postEvent(service, "password.reset-requested", {
          requestId: randomUUID(),
          recipient: r,
          resetUrl: `https://shop.example.com/reset/${t}`,
        });
    const channels: Channel[] = isOrder
      ? ["email", "push", "sms"]
      : ["email", "sms"];
    for (const channel of channels) {
      const outcome: Expected = optedOut(i, channel)
        ? "skipped"
        : channel === "push" && r.deviceToken!.startsWith("invalid-")
          ? "dead-lettered"
          : "sent";
      expected.set(nameBasedId(`${id}/${channel}`), outcome);
    }
  }

  const half = Math.floor(TRIGGERS / 2);
  for (let t = 0; t < half; t++) await trigger(t);
  await waitFor(
    async () =>
      (await metric(service, "evgen_circuit_state", {
        consumer: "send-sms",
      })) === 1,
    30_000,
    () => "send-sms's circuit to open while the SMS provider is down",
  );
  const sentBeforeKill = (
    await Promise.all([...expected.keys()].map((id) => store.outcome(id)))
  ).filter((o) => o?.status === "sent").length;
  await service.kill();
  log(
    `SIGKILL after ${half} triggers, circuit of send-sms open, ${sentBeforeKill} sent`,
  );

  service = await start();
  for (let t = half; t < TRIGGERS; t++) await trigger(t);
  log(
    `restarted with the SMS provider back, posted the other ${TRIGGERS - half} triggers`,
  );

  const deadIds = async () => {
    const out = await dlq(
      ["list", "send-push", "--json", "--limit", "10000"],
      env,
    );
    return out
      .split("\n")
      .filter(Boolean)
      .map(
        (line) =>
          (
            JSON.parse((JSON.parse(line) as { body: string }).body) as {
              notificationId: string;
            }
          ).notificationId,
      )
      .filter((id) => expected.has(id));
  };
  const wanted = (kind: Expected) =>
    [...expected].filter(([, outcome]) => outcome === kind).map(([id]) => id);
  let pending = expected.size;
  await waitFor(
    async () => {
      const outcomes = await Promise.all(
        [...expected].map(
          async ([id, want]) =>
            want === "dead-lettered" ||
            (await store.outcome(id))?.status === want,
        ),
      );
      pending = outcomes.filter((done) => !done).length;
      return (
        pending === 0 &&
        new Set(await deadIds()).size === wanted("dead-lettered").length
      );
    },
    120_000,
    () => `every notification settled (${pending} not yet)`,
  );

  // Nothing else happened to them: no skipped one was sent, no dead-lettered one was sent.
  for (const id of [...wanted("skipped"), ...wanted("dead-lettered")]) {
    const outcome = await store.outcome(id);
    check(
      outcome?.status !== "sent",
      `${id} was sent but should not have been`,
    );
  }
  const dead = await deadIds();
  check(
    new Set(dead).size === wanted("dead-lettered").length &&
      dead.every((id) => expected.get(id) === "dead-lettered"),
    "the dead letters are the invalid device tokens",
  );
  const figures = {
    scenario: "notifications",
    triggersPosted: TRIGGERS,
    preferencesPosted: USERS * 3,
    notificationsRequested: expected.size,
    sent: wanted("sent").length,
    skippedOptedOut: wanted("skipped").length,
    deadLettered: new Set(dead).size,
    sentBeforeKill,
    skippedCountedAfterRestart: await metric(
      service,
      "evgen_events_skipped_total",
      { reason: "opted-out" },
    ),
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
    `[notifications e2e] ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
