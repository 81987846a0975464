// evgen init at a terminal: it asks for what the flags leave open, and asks nothing with --yes.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { uniqueName } from "../support/brokers.js";
import { REPO_ROOT } from "../support/project.js";

const workspace = join(REPO_ROOT, "test", ".tmp", uniqueName("prompts"));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/** A terminal session whose person gives `answers` in turn. */
function terminal(answers: string[]) {
  const questions: string[] = [];
  let stderr = "";
  const io: CliIO = {
    stdout: () => {},
    stderr: (text) => void (stderr += text),
    cwd: REPO_ROOT,
    interactive: true,
    color: false,
    ask: async (question) => {
      questions.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected question: ${question}`);
      return answer;
    },
  };
  return { io, questions, stderr: () => stderr };
}

describe("evgen init on a terminal", () => {
  it("asks for the broker and the name, defaulting the name to the directory's", async () => {
    const dir = join(workspace, "My Shop");
    const session = terminal(["rabbitmq", ""]);
    const code = await main(["node", "evgen", "init", dir], session.io);
    expect(code, session.stderr()).toBe(0);
    expect(session.questions).toEqual(["Broker (kafka or rabbitmq) [kafka]: ", "Service name [my-shop]: "]);
    const spec = readFileSync(join(dir, "evgen.yaml"), "utf8");
    expect(spec).toContain("service: my-shop");
    expect(spec).toContain("broker: rabbitmq");
  });

  it("rejects an invalid answer as a usage error, writing nothing", async () => {
    const session = terminal(["kafka", "Not Valid"]);
    const dir = join(workspace, uniqueName("invalid"));
    expect(await main(["node", "evgen", "init", dir], session.io)).toBe(2);
    expect(session.stderr()).toContain('invalid service name "Not Valid"');
    expect(existsSync(dir)).toBe(false);
  });

  it("asks nothing with --yes", async () => {
    const session = terminal([]);
    const dir = join(workspace, uniqueName("yes"));
    expect(await main(["node", "evgen", "init", dir, "--yes"], session.io)).toBe(0);
    expect(session.questions).toEqual([]);
    expect(readFileSync(join(dir, "evgen.yaml"), "utf8")).toContain("broker: kafka");
  });
});
