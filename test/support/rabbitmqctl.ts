// The broker's command line tool, for the global setup and the tests that disrupt the broker (they
// run as root on its machine). A wedged node can leave rabbitmqctl waiting forever: every call runs
// under coreutils `timeout` (which also kills the Erlang VM behind it) with nothing on stdin.
import { spawn } from "node:child_process";

export function rabbitmqctl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("timeout", ["-k", "5", "120", "rabbitmqctl", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else {
        const why = code === 124 ? "timed out after 120 s" : `exited with ${code}`;
        reject(new Error(`rabbitmqctl ${args.join(" ")} ${why}: ${(stderr || stdout).trim()}`));
      }
    });
  });
}
