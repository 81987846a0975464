// Logs survive kill -9: a line the logger was given is on its way out of the process (written to
// stdout) before the call returns, so a killed service loses none of the lines it had logged.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./logging.fixture.ts", import.meta.url));

describe("service logs", () => {
  it("keeps every line logged before a kill -9", async () => {
    const lines = 20_000;
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
      env: { ...process.env, LINES: String(lines) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let received = 0;
    let partial = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const complete = text.split("\n");
      partial = complete.pop()!;
      received += complete.filter((line) => line.includes('"a line of the burst"')).length;
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes("logged\n")) child.kill("SIGKILL");
    });
    const signal = await new Promise((resolve) => child.on("close", (_code, signal) => resolve(signal)));
    expect(signal).toBe("SIGKILL");
    expect(received).toBe(lines);
  });
});
