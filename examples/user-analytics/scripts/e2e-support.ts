// What the end-to-end scenario needs to drive the built service as a process: start it, wait for
// it, kill it, ask its HTTP endpoints and its dead-letter tool. Every wait has a deadline.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import net from "node:net";

/** Services still running; killed when the scenario exits, however it ends. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export const sleep = (ms: number) =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds; past `timeoutMs` throws, saying what never happened. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await sleep(250);
  }
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });

export interface Service {
  port: number;
  /** The free ports picked for the variables named in startService's `extraPorts`. */
  ports: Record<string, number>;
  url(path: string): string;
  child: ChildProcess;
  /** SIGTERM, and the exit code once it exited (a drained shutdown exits 0). */
  stop(): Promise<number | null>;
  /** SIGKILL: nothing is drained, nothing committed past what was. */
  kill(): Promise<void>;
  /** The last lines it wrote, for failure messages. */
  output(): string;
}

/** Starts `node <entry>` with `env` on free ports and waits until GET /readyz answers 200. */
export async function startService(
  entry: string,
  env: Record<string, string>,
  extraPorts: string[] = [],
): Promise<Service> {
  const port = await freePort();
  const ports: Record<string, number> = {};
  for (const name of extraPorts) ports[name] = await freePort();
  const portEnv = Object.fromEntries(
    Object.entries(ports).map(([name, value]) => [name, String(value)]),
  );
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...env, ...portEnv, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  const keep = (chunk: Buffer) =>
    (output = (output + chunk.toString()).slice(-6000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const service: Service = {
    port,
    ports,
    url,
    child,
    stop: () => (child.kill("SIGTERM"), exited),
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
    output: () => output,
  };
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(
          `the service exited with ${child.exitCode}:\n${output}`,
        );
      return fetch(url("/readyz")).then(
        (res) => res.ok,
        () => false,
      );
    },
    120_000,
    () => `${url("/readyz")} to answer 200:\n${output}`,
  );
  return service;
}

export async function postEvent(
  service: Service,
  type: string,
  data: unknown,
): Promise<string> {
  const res = await fetch(service.url(`/events/${type}`), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(data),
  });
  if (res.status !== 202)
    throw new Error(`POST /events/${type}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** The sum of the samples of Prometheus counter `name` whose labels include `labels`. */
export async function metric(
  service: Service,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(service.url("/metrics"))).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const sample = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    if (Object.entries(labels).every(([key, value]) => sample[key] === value))
      sum += Number(match[3]);
  }
  return sum;
}

/** `node dist/generated/dlq.js <args>` (what `npm run dlq` runs), its stdout once it exited 0. */
export function dlq(
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["dist/generated/dlq.js", ...args],
      {
        env: { ...process.env, ...env },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        error
          ? reject(
              new Error(`dlq ${args.join(" ")}: ${stderr || error.message}`),
            )
          : resolve(stdout),
    );
  });
}

/** Ids of the dead letters `dlq list <consumer> --json` shows. */
export async function deadLetterIds(
  consumer: string,
  env: Record<string, string>,
): Promise<string[]> {
  const out = await dlq(["list", consumer, "--json", "--limit", "10000"], env);
  return out
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id?: string }).id ?? "");
}

/** Fails the scenario with `message` unless `ok`. */
export function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`check failed: ${message}`);
}
