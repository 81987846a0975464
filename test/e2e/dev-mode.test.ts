// `npm run dev` on a fresh project: the service runs on the in-memory broker, with every broker
// address pointing at a closed port, and a POSTed event reaches its handler and /metrics.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueName } from "../support/brokers.js";
import { REPO_ROOT, runCli } from "../support/project.js";
import { waitFor } from "../support/wait.js";
import { RECORDER, freePort, metricValue, metrics, postEvent, recorded, serviceReady } from "./service-support.js";

const root = join(REPO_ROOT, "test", ".tmp", uniqueName("dev"));
const started: ChildProcess[] = [];

afterAll(() => {
  // npm, tsx's watcher and the service share one process group: stop them together.
  for (const child of started) {
    if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
  }
  rmSync(root, { recursive: true, force: true });
});

const HANDLER = `${RECORDER}
import { defineHandlers } from "../generated/consumers/payment.js";
export default defineHandlers({
  "order.created": async (event, ctx) => record({ consumer: ctx.consumer, attempt: ctx.attempt, event }),
  "inventory.rejected": () => undefined,
});`;

describe.each(["kafka", "rabbitmq"] as const)("npm run dev (%s project, no broker)", (broker) => {
  it("handles a POSTed event in memory and counts it in /metrics", async () => {
    const name = `${broker}-dev`;
    const dir = join(root, name);
    const init = await runCli(["init", name, "--broker", broker, "--example", "orders"], root);
    expect(init.code, init.stderr).toBe(0);
    const log = join(dir, "handled.jsonl");
    // The handler module is the user's to edit.
    writeFileSync(join(dir, "src/handlers/payment.ts"), HANDLER);

    const port = await freePort();
    const child = spawn("npm", ["run", "dev"], {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PORT: String(port),
        E2E_LOG: log,
        KAFKA_BROKERS: "127.0.0.1:1",
        AMQP_URL: "amqp://guest:guest@127.0.0.1:1",
        DATABASE_URL: "",
      },
    });
    started.push(child);
    const service = await serviceReady(child, port);

    const orderId = randomUUID();
    const res = await postEvent(service, "order.created", {
      orderId,
      userId: "ada",
      total: 12.5,
      items: [{ sku: "book", qty: 1, price: 12.5 }],
      shipTo: { name: "Ada", street: "1 Main St", city: "Berlin", country: "DE" },
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    await waitFor(
      () => recorded(log).length > 0,
      20_000,
      () => `the handler to run:\n${service.output()}`,
    );
    expect(recorded(log)).toEqual([
      {
        consumer: "payment",
        attempt: 1,
        at: expect.any(Number),
        event: expect.objectContaining({
          id,
          type: "order.created",
          data: expect.objectContaining({ orderId, currency: "EUR" }),
        }),
      },
    ]);
    const text = await metrics(service);
    expect(metricValue(text, "evgen_events_published_total", { type: "order.created" })).toBe(1);
    expect(
      metricValue(text, "evgen_events_handled_total", {
        type: "order.created",
        consumer: "payment",
      }),
    ).toBe(1);
  });
});
