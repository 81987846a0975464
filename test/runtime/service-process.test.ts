// The service as a process: exit codes for a bad configuration and for SIGTERM, with in-flight
// handlers finishing before exit and the shutdown bounded by SHUTDOWN_TIMEOUT.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { order } from "./fixtures.js";

const MAIN = fileURLToPath(new URL("./service-main.fixture.ts", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

interface Running {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first stdout line matching. */
  line(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

function start(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, PORT: "0", EVGEN_TRANSPORT: "memory", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffered = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split("\n");
    buffered = complete.pop()!;
    for (const text of complete) if (text.startsWith("{")) lines.push(JSON.parse(text));
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    async line(match) {
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        const woken = new Promise<void>((resolve) => waiters.push(resolve));
        const result = await Promise.race([woken.then(() => "line"), exited.then(() => "exit")]);
        if (result === "exit" && !lines.find(match)) throw new Error(`process exited first; stderr: ${stderr}`);
      }
    },
  };
}

async function postOrder(running: Running): Promise<string> {
  const started = await running.line((l) => l.msg === "service started");
  const res = await fetch(`http://127.0.0.1:${started.port}/events/order.created`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(order()),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

describe("service process", () => {
  it("prints every configuration problem and exits 1, without a stack trace", async () => {
    const running = start({ PORT: "http", LOG_LEVEL: "chatty" });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toContain('PORT: must be a whole number (got "http")');
    expect(running.stderr()).toContain("LOG_LEVEL: must be one of");
    expect(running.stderr()).not.toMatch(/^\s+at /m);
  });

  it("on SIGTERM lets the in-flight handler finish, then exits 0", async () => {
    const running = start({ HANDLER_MS: "700" });
    const id = await postOrder(running);
    await running.line((l) => l.handler === "started" && l.id === id);
    running.child.kill("SIGTERM");

    expect(await running.exited).toBe(0);
    const texts = running.lines.map((l) => l.handler ?? l.msg);
    expect(texts.indexOf("finished")).toBeGreaterThan(texts.indexOf("shutting down"));
    expect(texts.at(-1)).toBe("service stopped");
  });

  it("exits 1 when stopping takes longer than SHUTDOWN_TIMEOUT", async () => {
    const running = start({ HANDLER_MS: "30000", SHUTDOWN_TIMEOUT: "300" });
    const id = await postOrder(running);
    await running.line((l) => l.handler === "started" && l.id === id);
    const signalled = performance.now();
    running.child.kill("SIGTERM");

    expect(await running.exited).toBe(1);
    expect(performance.now() - signalled).toBeLessThan(5000);
    expect(running.lines.some((l) => l.msg === "shutdown timed out")).toBe(true);
    expect(running.lines.some((l) => l.handler === "finished")).toBe(false);
  });
});
