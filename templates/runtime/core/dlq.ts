// The dead-letter tool behind `npm run dlq`: list a consumer's dead letters, or replay them to that
// consumer alone with their ids kept. Each broker implements DeadLetters (kafka/dead-letters.ts,
// rabbitmq/dlq.ts); this file is the command line around them and what they share.
import { parseArgs } from "node:util";
import { isStructuredMode, readStructured } from "./cloudevents.js";
import { ConfigError, loadConfig, type BrokerConfigPart, type Config } from "./config.js";
import { createLogger } from "./logger.js";
import { FAILURE_HEADERS, type ConsumerDef, type Logger, type ServiceDef } from "./types.js";

/** A dead-lettered event as the tools show it. */
export interface DeadLetter {
  id?: string;
  type?: string;
  /** Attempts made before it was dead-lettered. */
  attempts?: number;
  kind?: string;
  error?: string;
  failedAt?: string;
  /** Where it sits: "shop.mailer.dlq[2]@41" (topic, partition, offset) or "shop.mailer.dlq #3". */
  position: string;
  key?: string;
  body: string;
}

export interface DeadLetters {
  /** Up to `limit` dead letters not replayed yet, oldest first, and how many there are in all. */
  list(consumer: ConsumerDef, limit: number): Promise<{ total: number; letters: DeadLetter[] }>;
  /** Re-delivers up to `limit` dead letters to the consumer alone; resolves with them once done. */
  replay(consumer: ConsumerDef, limit: number): Promise<DeadLetter[]>;
  close(): Promise<void>;
}

/** Opens the dead letters of a service on its broker (each broker's dlq module has one). */
export type OpenDeadLetters<S extends ServiceDef = ServiceDef> = (
  service: S,
  config: Config<S["broker"]>,
  log: Logger,
) => DeadLetters;

/** Added to a replayed copy: when it was replayed (RFC 3339). */
export const REPLAYED_AT_HEADER = "x-evgen-replayed-at";

const FAILURE_HEADER_NAMES = new Set<string>(Object.values(FAILURE_HEADERS));

/**
 * The headers of a replayed copy: without the failure headers, so that the consumer sees attempt 1
 * again, and with the replay time. `dropAlso` names broker bookkeeping to leave out as well.
 */
export function replayHeaders<V>(
  headers: Record<string, V>,
  dropAlso: (name: string) => boolean = () => false,
): Record<string, V | string> {
  const kept: Record<string, V | string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!FAILURE_HEADER_NAMES.has(name) && !dropAlso(name)) kept[name] = value;
  }
  kept[REPLAYED_AT_HEADER] = new Date().toISOString();
  return kept;
}

/**
 * A DeadLetter from the event's CloudEvents attributes and a reader of its failure headers. A
 * structured-mode event carries its id and type in the body.
 */
export function describeDeadLetter(
  headerAttributes: Record<string, string>,
  header: (name: string) => string | undefined,
  where: { position: string; key?: string; body: Buffer },
): DeadLetter {
  const attempts = Number(header(FAILURE_HEADERS.attempt));
  let attributes: Record<string, string | undefined> = headerAttributes;
  if (isStructuredMode(headerAttributes.datacontenttype)) {
    const structured = readStructured(where.body);
    if (structured.ok) attributes = structured.event.attributes;
  }
  return {
    id: attributes.id,
    type: attributes.type,
    attempts: Number.isInteger(attempts) && attempts > 0 ? attempts : undefined,
    kind: header(FAILURE_HEADERS.kind),
    error: header(FAILURE_HEADERS.error),
    failedAt: header(FAILURE_HEADERS.failedAt),
    position: where.position,
    key: where.key,
    body: where.body.toString("utf8"),
  };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const USAGE = `Usage: npm run dlq -- <command> <consumer> [options]

Commands:
  list <consumer>     show the consumer's dead letters that were not replayed yet, oldest first
  replay <consumer>   deliver them again to that consumer alone, with their ids kept; a replayed
                      event starts again at attempt 1

Options:
  --limit <n>         at most n dead letters (list: 20 unless given; replay: all unless given)
  --json              one JSON object per dead letter (list and replay)
  -h, --help          this help

The broker settings come from the environment, as for the service (KAFKA_BROKERS, AMQP_URL, ...).`;

export interface DeadLetterToolOptions<S extends ServiceDef = ServiceDef> {
  service: S;
  /** Its broker's part of the configuration (the broker folder's config.ts). */
  brokerConfig: BrokerConfigPart<S["broker"]>;
  open: OpenDeadLetters<S>;
  /** Defaults to process.argv.slice(2). */
  argv?: string[];
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

class UsageError extends Error {}

interface Command {
  command: "list" | "replay";
  consumer: ConsumerDef;
  limit: number;
  json: boolean;
}

function parseCommand(service: ServiceDef, argv: string[]): Command | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { limit: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return "help";
  const [command, name, ...extra] = positionals;
  if (command !== "list" && command !== "replay") throw new UsageError(`unknown command "${command ?? ""}"`);
  if (name === undefined) throw new UsageError(`${command}: which consumer?`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const consumer = Object.hasOwn(service.consumers, name) ? service.consumers[name] : undefined;
  if (!consumer) {
    throw new UsageError(`unknown consumer "${name}" (known: ${Object.keys(service.consumers).join(", ")})`);
  }
  if (values.limit !== undefined && !/^[1-9]\d*$/.test(values.limit)) {
    throw new UsageError(`--limit must be a whole number of at least 1 (got "${values.limit}")`);
  }
  const limit = values.limit === undefined ? (command === "list" ? 20 : Infinity) : Number(values.limit);
  return { command, consumer, limit, json: values.json ?? false };
}

function line(letter: DeadLetter): string {
  const failure = [letter.kind, letter.error].filter(Boolean).join(": ");
  const attempts =
    letter.attempts === undefined ? "" : ` after ${letter.attempts} attempt${letter.attempts === 1 ? "" : "s"}`;
  return `${letter.id ?? "(no id)"}  ${letter.type ?? "(no type)"}  ${letter.failedAt ?? ""}${attempts}  ${failure}  [${letter.position}]`;
}

/** Runs one command; resolves with the process exit code (0 ok, 1 failed, 2 usage). */
export async function runDeadLetterTool<S extends ServiceDef>(options: DeadLetterToolOptions<S>): Promise<number> {
  const { service } = options;
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  let command: Command | "help";
  try {
    command = parseCommand(service, options.argv ?? process.argv.slice(2));
  } catch (error) {
    stderr(`${messageOf(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (command === "help") {
    stdout(`${USAGE}\n`);
    return 0;
  }
  const { consumer, limit, json } = command;
  if (!consumer.deadLetter) {
    stderr(`consumer "${consumer.name}" has no dead letter (deadLetter: false in evgen.yaml)\n`);
    return 1;
  }
  let config: Config<S["broker"]>;
  try {
    config = loadConfig(service, options.env ?? process.env, {
      brokerConfig: options.brokerConfig,
      publisherOnly: true,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr(`${error.message}\n`);
    return 1;
  }
  if (config.transport === "memory") {
    stderr("EVGEN_TRANSPORT=memory: the in-memory broker's dead letters live inside the process that runs it\n");
    return 1;
  }
  // Logs go to stderr: stdout carries the dead letters.
  const log = createLogger({
    level: config.logLevel,
    name: `${service.service}-dlq`,
    destination: process.stderr,
  });
  const deadLetters = options.open(service, config, log);
  const print = (letter: DeadLetter) => stdout(`${json ? JSON.stringify(letter) : line(letter)}\n`);
  try {
    if (command.command === "list") {
      const { total, letters } = await deadLetters.list(consumer, limit);
      letters.forEach(print);
      stderr(
        `${letters.length} of ${total} dead letter${total === 1 ? "" : "s"} of ${consumer.name} (${consumer.deadLetterQueue ?? "none"})\n`,
      );
    } else {
      const replayed = await deadLetters.replay(consumer, limit);
      replayed.forEach(print);
      stderr(`replayed ${replayed.length} dead letter${replayed.length === 1 ? "" : "s"} to ${consumer.name}\n`);
    }
    return 0;
  } catch (error) {
    stderr(`${command.command} failed: ${messageOf(error)}\n`);
    return 1;
  } finally {
    await deadLetters
      .close()
      .catch((error: unknown) => log.warn({ err: messageOf(error) }, "closing the broker connection failed"));
  }
}
