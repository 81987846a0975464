// Helpers for the end-to-end tests of generated services run as processes: start and wait for
// readiness, read /metrics, and see what handlers did through the JSON lines they append to a file.
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import type { Project } from "../support/project.js";
import { waitFor } from "../support/wait.js";

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** The start of a handler module that records each call, and when, as a JSON line in E2E_LOG. */
export const RECORDER = `import { appendFileSync } from "node:fs";
const record = (line: object) => appendFileSync(process.env.E2E_LOG!, JSON.stringify({ ...line, at: Date.now() }) + "\\n");`;

export interface Recorded {
  consumer: string;
  attempt: number;
  at: number;
  event: { id: string; type: string; traceparent?: string; data: Record<string, unknown> };
}

/** What the handlers recorded in `file` so far. */
export function recorded<T = Recorded>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

export interface RunningService {
  child: ChildProcess;
  url(path: string): string;
  /** The last few KiB of stdout and stderr, for failure messages. */
  output(): string;
  /** Everything the process wrote to stderr (its logs go to stdout: this holds warnings and crashes). */
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Watches a started service process and waits until GET `readyPath` answers 200 (the broker is
 * connected for /readyz; the HTTP server is up for /healthz).
 */
export async function serviceReady(
  child: ChildProcess,
  port: number,
  readyPath: "/readyz" | "/healthz" = "/readyz",
  timeoutMs = 60_000,
): Promise<RunningService> {
  let output = "";
  let stderr = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-64_000)));
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${output}`);
      return fetch(url(readyPath)).then(
        (res) => res.ok,
        () => false,
      );
    },
    timeoutMs,
    () => `${url(readyPath)} to answer 200:\n${output}`,
  );
  return {
    child,
    url,
    output: () => output,
    stderr: () => stderr,
    stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/**
 * Starts the built project's service (`node dist/generated/main.js`) on a free port with `env`
 * and waits for it as serviceReady() does.
 */
export async function startService(
  project: Project,
  env: Record<string, string>,
  readyPath: "/readyz" | "/healthz" = "/readyz",
  timeoutMs = 60_000,
): Promise<RunningService> {
  const port = await freePort();
  const child = project.start({ PORT: String(port), ...env });
  return serviceReady(child, port, readyPath, timeoutMs);
}

export function postEvent(
  service: RunningService,
  type: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(service.url(`/events/${type}`), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The sum of the samples of Prometheus metric `name` whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const sample = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => sample[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

export async function metrics(service: RunningService): Promise<string> {
  const res = await fetch(service.url("/metrics"));
  return res.text();
}
