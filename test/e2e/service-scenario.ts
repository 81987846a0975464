// The built service as a user runs it (`node dist/generated/main.js`) against a real broker: HTTP
// ingress with its refusals, handlers, retries, dead letters, /metrics, trace context, and
// `npm run dlq` replaying to one consumer. Shared by service-kafka and service-rabbitmq.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeadLetter } from "../../templates/runtime/core/dlq.js";
import type { KafkaClientName } from "../support/kafka-clients.js";
import { cloudEventsIngressTests } from "./service-cloudevents.js";
import { buildServiceProject, type Broker, type ServiceProject } from "./service-project.js";
import { waitFor } from "../support/wait.js";
import { metricValue, metrics, postEvent, recorded, type RunningService } from "./service-support.js";

const TOKEN = "e2e-secret-token";
const AUTH = { authorization: `Bearer ${TOKEN}` };
/** A client of EVGEN_API_TOKENS allowed order.created only. */
const CHECKOUT_TOKEN = "e2e-checkout-token-0123";
const CHECKOUT = { authorization: `Bearer ${CHECKOUT_TOKEN}` };
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

export function describeService(
  broker: Broker,
  available: boolean,
  brokerEnv: Record<string, string>,
  kafkaClient?: KafkaClientName,
): void {
  describe.skipIf(!available)(`the built ${broker} service${kafkaClient ? ` on ${kafkaClient}` : ""}`, () => {
    let built: ServiceProject;
    let service: RunningService;

    const calls = (consumer: string, id: string) =>
      recorded(built.log).filter((line) => line.consumer === consumer && line.event.id === id);
    const counter = async (name: string, labels: Record<string, string>) =>
      metricValue(await metrics(service), name, labels);
    /** Counters move just after a handler returns: wait for the value, then insist on it. */
    async function expectCounter(name: string, labels: Record<string, string>, expected: number): Promise<void> {
      await waitFor(async () => (await counter(name, labels)) === expected, 10_000, `${name} = ${expected}`).catch(
        () => undefined,
      );
      expect(await counter(name, labels), `${name} ${JSON.stringify(labels)}`).toBe(expected);
    }
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      postEvent(service, "order.created", body, { ...AUTH, ...headers });
    async function accepted(data: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
      const res = await post(data, headers);
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    }
    /** `npm run dlq -- <args>` in the project (-s: npm's banner would mix into stdout). */
    function dlq(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      return new Promise((resolve) => {
        execFile(
          "npm",
          ["run", "-s", "dlq", "--", ...args],
          { cwd: built.project.dir, env: { ...process.env, ...brokerEnv, LOG_LEVEL: "warn" } },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    }

    beforeAll(async () => {
      built = await buildServiceProject(broker, brokerEnv, kafkaClient);
      service = await built.start({
        EVGEN_API_TOKEN: TOKEN,
        EVGEN_API_TOKENS: `checkout:${CHECKOUT_TOKEN}:order.created`,
        LOG_LEVEL: "info",
      });
    }, 240_000);

    afterAll(async () => {
      await built?.project.cleanup();
    });

    it("hands a POSTed event to every consumer of its type, with the id the response gave", async () => {
      const published = { type: "order.created" };
      const handled = { type: "order.created", consumer: "auditor" };
      const before = [
        await counter("evgen_events_published_total", published),
        await counter("evgen_events_handled_total", handled),
      ];
      const orderId = randomUUID();
      const id = await accepted({ orderId, userId: "ada" });
      await waitFor(
        () => calls("mailer", id).length === 1 && calls("auditor", id).length === 1,
        30_000,
        "both consumers",
      );
      expect(calls("mailer", id)[0]).toMatchObject({
        attempt: 1,
        event: { type: "order.created", data: { orderId, userId: "ada" } },
      });
      await expectCounter("evgen_events_published_total", published, before[0]! + 1);
      await expectCounter("evgen_events_handled_total", handled, before[1]! + 1);
      if (broker === "kafka") {
        // The consumer reports the partition it read from, with nothing left to process.
        const lagLine = /^evgen_consumer_lag\{consumer="auditor",topic="[^"]+",partition="\d+"\} 0$/m;
        await waitFor(async () => lagLine.test(await metrics(service)), 10_000, "auditor's consumer lag").catch(
          () => undefined,
        );
        expect(await metrics(service)).toMatch(lagLine);
      }
    });

    it("refuses with 401 without the token, 404 for an unknown type, 400 with the issues, 413 over 1 MiB", async () => {
      const before = await counter("evgen_events_published_total", { type: "order.created" });
      const valid = { orderId: randomUUID(), userId: "ada" };

      const missing = await postEvent(service, "order.created", valid);
      expect(missing.status).toBe(401);
      expect(missing.headers.get("www-authenticate")).toBe("Bearer");
      expect((await post(valid, { authorization: "Bearer wrong" })).status).toBe(401);

      const unknown = await postEvent(service, "order.deleted", valid, AUTH);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: 'unknown event type "order.deleted"' });

      const invalid = await post({ orderId: "not-a-uuid" });
      expect(invalid.status).toBe(400);
      const { issues } = (await invalid.json()) as { issues: Array<{ path: string; message: string }> };
      expect(issues.map((issue) => issue.path).sort()).toEqual(["orderId", "userId"]);
      expect((await post("{not json")).status).toBe(400);

      const huge = await post({ ...valid, note: "x".repeat(1024 * 1024) });
      expect(huge.status).toBe(413);

      expect(await counter("evgen_events_published_total", { type: "order.created" })).toBe(before);
      expect((await fetch(service.url("/healthz"))).status).toBe(200);
    });

    it("lets a client publish only its types, refuses emitted events, and names the client, never the token", async () => {
      const valid = { orderId: randomUUID(), userId: "ada" };
      const res = await postEvent(service, "order.created", valid, CHECKOUT);
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      // notification.sent is what mailer emits: not accepted over HTTP, whoever asks.
      const emitted = await postEvent(service, "notification.sent", { orderId: valid.orderId, channel: "email" }, AUTH);
      expect(emitted.status).toBe(404);
      const batch = await fetch(service.url("/events"), {
        method: "POST",
        headers: { "content-type": "application/json", ...CHECKOUT },
        body: JSON.stringify([{ type: "notification.sent", data: { orderId: valid.orderId, channel: "sms" } }]),
      });
      expect(batch.status).toBe(404);
      await expectCounter("evgen_http_requests_total", { client: "checkout", status: "202" }, 1);
      await expectCounter("evgen_http_events_accepted_total", { client: "checkout", type: "order.created" }, 1);
      expect(await metrics(service)).not.toContain(CHECKOUT_TOKEN);
      await waitFor(() => service.output().includes(id), 5000, "the access log line");
      const line = service
        .output()
        .split("\n")
        .find((text) => text.includes(id))!;
      expect(JSON.parse(line)).toMatchObject({
        client: "checkout",
        msg: "accepted over HTTP",
        types: ["order.created"],
      });
      expect(service.output()).not.toContain(CHECKOUT_TOKEN);
    });

    it("refuses to start with a malformed EVGEN_API_TOKENS: exit 1, the problem named, the token never", async () => {
      const child = built.project.start({ ...brokerEnv, PORT: "0", EVGEN_API_TOKENS: "ops:short-secret-x,ops2" });
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(code).toBe(1);
      expect(output).toContain(
        'EVGEN_API_TOKENS: client ops: its token must be 16 to 512 printable characters without spaces, ",", ":" or "|"',
      );
      expect(output).toContain("EVGEN_API_TOKENS: entry 2 must be name:token or name:token:type|type");
      expect(output).not.toContain("short-secret-x");
    });

    it("publishes a repeated Idempotency-Key once: the consumers handle one event, the answer is the first id", async () => {
      const key = { "idempotency-key": `e2e-${randomUUID()}` };
      const data = { orderId: randomUUID(), userId: "ada" };
      const first = await accepted(data, key);
      const again = await post(data, key);
      expect(again.status).toBe(202);
      expect(await again.json()).toEqual({ id: first });
      await waitFor(() => calls("auditor", first).length === 1, 30_000, "the event");
      // A second copy would have been handled by now (the first took a moment only).
      const settled = Date.now() + 1500;
      await waitFor(() => Date.now() > settled, 5000, "a moment");
      expect(
        recorded(built.log).filter((line) => line.consumer === "auditor" && line.event.data.orderId === data.orderId),
      ).toHaveLength(1);
    });

    it("publishes a POST /events batch whole, or nothing when one item is invalid", async () => {
      const orders = [randomUUID(), randomUUID()];
      const postBatch = (items: unknown[]) =>
        fetch(service.url("/events"), {
          method: "POST",
          headers: { "content-type": "application/json", ...AUTH },
          body: JSON.stringify(items),
        });
      const refused = await postBatch([
        { type: "order.created", data: { orderId: orders[0], userId: "ada" } },
        { type: "order.created", data: { orderId: "not-a-uuid", userId: "ada" } },
      ]);
      expect(refused.status).toBe(400);
      const res = await postBatch(
        orders.map((orderId) => ({ type: "order.created", data: { orderId, userId: "ada" } })),
      );
      expect(res.status).toBe(202);
      const { ids } = (await res.json()) as { ids: string[] };
      await waitFor(() => ids.every((id) => calls("auditor", id).length === 1), 30_000, "both events");
      // The refused batch's valid first item was never published.
      expect(
        recorded(built.log).filter((line) => line.consumer === "auditor" && line.event.data.orderId === orders[0]),
      ).toHaveLength(1);
    });

    it("carries the request's traceparent to the handler and to the event it publishes", async () => {
      const orderId = randomUUID();
      const id = await accepted({ orderId, userId: "notify" }, { traceparent: TRACEPARENT });
      const notified = () =>
        recorded(built.log).filter((line) => line.consumer === "notifier" && line.event.data.orderId === orderId);
      await waitFor(() => notified().length === 1, 30_000, "the notification");
      expect(calls("mailer", id)[0]!.event.traceparent).toBe(TRACEPARENT);
      expect(notified()[0]!.event).toMatchObject({ type: "notification.sent", traceparent: TRACEPARENT });
      await expectCounter("evgen_events_published_total", { type: "notification.sent" }, 1);
      await expectCounter("evgen_events_handled_total", { type: "notification.sent", consumer: "notifier" }, 1);
    });

    it("retries a failing handler after its delay, dead-letters one that keeps failing, and counts both", async () => {
      const mailer = (labels: Record<string, string> = {}) => ({
        type: "order.created",
        consumer: "mailer",
        ...labels,
      });
      const tracked: Array<[string, Record<string, string>, number]> = [
        ["evgen_events_handled_total", mailer(), 1],
        ["evgen_events_failed_total", mailer({ kind: "error" }), 5],
        ["evgen_events_retried_total", mailer(), 4],
        ["evgen_events_dead_lettered_total", mailer({ kind: "error" }), 1],
      ];
      const before = await Promise.all(tracked.map(([name, labels]) => counter(name, labels)));
      const flaky = await accepted({ orderId: randomUUID(), userId: "flaky" });
      const doomed = await accepted({ orderId: randomUUID(), userId: "doomed" });
      await waitFor(
        () => calls("mailer", flaky).length === 3 && calls("mailer", doomed).length === 3,
        30_000,
        "three attempts each",
      );

      for (const id of [flaky, doomed]) {
        const attempts = calls("mailer", id);
        expect(attempts.map((line) => line.attempt)).toEqual([1, 2, 3]);
        // The spec's delay is 200 ms between attempts.
        expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(200);
        expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(200);
      }
      // flaky: two failures, two retries, handled; doomed: three failures, two retries, dead-lettered.
      for (const [index, [name, labels, delta]] of tracked.entries())
        await expectCounter(name, labels, before[index]! + delta);
      // The other consumer of the event handled both at once.
      expect(calls("auditor", flaky)).toHaveLength(1);
      expect(calls("auditor", doomed)).toHaveLength(1);
    });

    it("lists a dead letter and, once the handler is fixed, replays it to that consumer alone with its id", async () => {
      const doomed = await accepted({ orderId: randomUUID(), userId: "doomed" });
      await waitFor(() => calls("mailer", doomed).length === 3, 30_000, "three attempts");
      const ours = (text: string) =>
        text
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as DeadLetter)
          .filter((letter) => letter.id === doomed);
      let listed: DeadLetter[] = [];
      await waitFor(
        async () => (listed = ours((await dlq(["list", "mailer", "--json", "--limit", "100"])).stdout)).length === 1,
        20_000,
        "the dead letter in the list",
      );
      expect(listed[0]).toMatchObject({
        type: "order.created",
        attempts: 3,
        kind: "error",
        error: "Error: mail server down",
      });

      writeFileSync(built.fixed, "");
      const handled = await counter("evgen_events_handled_total", {
        type: "order.created",
        consumer: "mailer",
      });
      const replay = await dlq(["replay", "mailer"]);
      expect(replay.stderr).toMatch(/^replayed \d+ dead letters? to mailer\n$/);
      expect(replay.code).toBe(0);
      expect(replay.stdout).toContain(doomed);

      await waitFor(() => calls("mailer", doomed).length === 4, 30_000, "the replayed event");
      expect(calls("mailer", doomed)[3]).toMatchObject({
        attempt: 1,
        event: { id: doomed, data: { userId: "doomed" } },
      });
      expect(
        await counter("evgen_events_handled_total", { type: "order.created", consumer: "mailer" }),
      ).toBeGreaterThan(handled);
      expect(ours((await dlq(["list", "mailer", "--json", "--limit", "100"])).stdout)).toEqual([]);
      // Nobody else sees the replay.
      expect(calls("auditor", doomed)).toHaveLength(1);
    });

    cloudEventsIngressTests({ service: () => service, log: () => built.log, auth: AUTH });

    // Last: by now the service has published, handled, retried, dead-lettered and replayed.
    it("writes nothing to stderr while it runs: no runtime warning (Node 24's TimeoutNegativeWarning included)", () => {
      expect(service.stderr()).toBe("");
    });
  });
}
