// The `npm run dlq` command line: arguments, exit codes and output, over a DeadLetters that
// records what it was asked (the broker implementations have their own tests).
import { describe, expect, it } from "vitest";
import { runDeadLetterTool, type DeadLetter, type DeadLetters } from "../../templates/runtime/core/dlq.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { shopService } from "./fixtures.js";

const service = shopService({
  mailer: { on: ["order.created"] },
  tracker: { on: ["order.shipped"], deadLetter: false },
});

const LETTER: DeadLetter = {
  id: "e-1",
  type: "order.created",
  attempts: 3,
  kind: "error",
  error: "Error: mail server down",
  failedAt: "2026-01-02T03:04:05.000Z",
  position: "shop.mailer.dlq[0]@7",
  key: "k-1",
  body: '{"orderId":"o-1"}',
};

async function run(argv: string[], env: Record<string, string> = {}, fail?: Error) {
  const calls: string[] = [];
  let stdout = "";
  let stderr = "";
  const deadLetters: DeadLetters = {
    async list(consumer, limit) {
      calls.push(`list ${consumer.name} ${limit}`);
      if (fail) throw fail;
      return { total: 5, letters: [LETTER] };
    },
    async replay(consumer, limit) {
      calls.push(`replay ${consumer.name} ${limit}`);
      if (fail) throw fail;
      return [LETTER];
    },
    async close() {
      calls.push("close");
    },
  };
  const code = await runDeadLetterTool({
    service,
    brokerConfig: kafkaConfig,
    argv,
    env: { LOG_LEVEL: "silent", ...env },
    open: (_service, config) => {
      calls.push(`open ${config.kafka.brokers.join(",")}`);
      return deadLetters;
    },
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, calls, stdout, stderr };
}

describe("npm run dlq", () => {
  it("lists 20 dead letters unless told otherwise, one line each, with a count on stderr", async () => {
    const result = await run(["list", "mailer"], { KAFKA_BROKERS: "k1:9092,k2:9092" });
    expect(result).toEqual({
      code: 0,
      calls: ["open k1:9092,k2:9092", "list mailer 20", "close"],
      stdout:
        "e-1  order.created  2026-01-02T03:04:05.000Z after 3 attempts  error: Error: mail server down  [shop.mailer.dlq[0]@7]\n",
      stderr: "1 of 5 dead letters of mailer (shop.mailer.dlq)\n",
    });
  });

  it("replays every dead letter unless --limit says otherwise; --json prints JSON lines", async () => {
    expect((await run(["replay", "mailer"])).calls).toContain("replay mailer Infinity");
    const result = await run(["replay", "mailer", "--limit", "2", "--json"]);
    expect(result.code).toBe(0);
    expect(result.calls).toContain("replay mailer 2");
    expect(
      result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([LETTER]);
    expect(result.stderr).toBe("replayed 1 dead letter to mailer\n");
  });

  it.each([
    [[], 'unknown command ""'],
    [["purge", "mailer"], 'unknown command "purge"'],
    [["list"], "list: which consumer?"],
    [["list", "nobody"], 'unknown consumer "nobody" (known: mailer, tracker)'],
    [["list", "mailer", "extra"], 'unexpected argument "extra"'],
    [["replay", "mailer", "--limit", "0"], '--limit must be a whole number of at least 1 (got "0")'],
    [["list", "mailer", "--bogus"], "--bogus"],
  ])("%j is a usage error: exit 2, the problem and the usage, nothing opened", async (argv, problem) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.calls).toEqual([]);
    expect(result.stderr).toContain(problem);
    expect(result.stderr).toContain("Usage: npm run dlq -- <command> <consumer>");
  });

  it("prints the usage on --help", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("replay <consumer>");
  });

  it("exits 1 with a clear message when there is nothing it can do", async () => {
    const noDeadLetter = await run(["list", "tracker"]);
    expect(noDeadLetter.code).toBe(1);
    expect(noDeadLetter.stderr).toBe('consumer "tracker" has no dead letter (deadLetter: false in evgen.yaml)\n');

    const memory = await run(["list", "mailer"], { EVGEN_TRANSPORT: "memory" });
    expect(memory.code).toBe(1);
    expect(memory.stderr).toContain("EVGEN_TRANSPORT=memory");

    const config = await run(["list", "mailer"], { KAFKA_BROKERS: "not a broker" });
    expect(config.code).toBe(1);
    expect(config.stderr).toContain("KAFKA_BROKERS: must be a comma-separated list of host:port");
    expect(config.calls).toEqual([]);
  });

  it("exits 1 when the broker fails, and still closes the connection", async () => {
    const result = await run(["replay", "mailer"], {}, new Error("topic shop.mailer.dlq does not exist"));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("replay failed: topic shop.mailer.dlq does not exist\n");
    expect(result.calls.at(-1)).toBe("close");
  });
});
