// Configuration comes from the environment only, parsed with zod at start. Every problem is
// reported at once; values of variables that may hold secrets are never echoed.
//
// This file reads the variables every service has and names no broker. A broker adds its own part
// in its runtime folder's config.ts: its connection's type, added to BrokerConnections by
// declaration merging (`declare module "../core/config.js" { interface BrokerConnections { ... } }`),
// and a BrokerConfigPart (its variables, the connection they give, their checks, which of them are
// safe to echo), which the generated transport.ts exports as `brokerConfig` for loadConfig.
import { z } from "zod";
import { parseApiClients, type ApiClient } from "./http-clients.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";
import type { Broker, ServiceDef } from "./types.js";

/**
 * Each broker's connection, as its variables and the spec's settings give it, under its key in
 * Config (e.g. `kafka: { kafka: KafkaConnectionConfig }`). Each broker's config.ts adds its entry.
 */
export interface BrokerConnections {}

/** Broker B's connection, as it sits in Config. */
export type ConnectionOf<B extends Broker> = B extends keyof BrokerConnections ? BrokerConnections[B] : never;

/** The part of Config that is broker B's: its name and its connection. */
type BrokerConnection<B extends Broker = Broker> = B extends Broker ? { broker: B } & ConnectionOf<B> : never;

/** The configuration of a service on broker B: the common settings and that broker's connection only. */
export type Config<B extends Broker = Broker> = BaseConfig & BrokerConnection<B>;

/**
 * What a broker adds to the configuration, from its runtime folder's config.ts. A service reads
 * only its own broker's variables; loadConfig reports their problems with the others.
 */
export interface BrokerConfigPart<B extends Broker = Broker> {
  readonly broker: B;
  /**
   * Its variables, parsed into its connection: a variable wins, then the server EVGEN_SERVER names
   * (`server`, checked to be one of `servers`), then the spec's settings. Each issue's path starts
   * with its variable's name.
   */
  connection(service: ServiceDef<B>, server: string | undefined): z.ZodType<ConnectionOf<B>>;
  /** The names of the spec's servers of this broker, one of which EVGEN_SERVER must name. */
  servers(service: ServiceDef<B>): string[];
  /**
   * Requirements between its variables and the others, checked on the raw values (`env`: the
   * variables set) so that they are reported with the rest. `running`: the consumers this process
   * runs (none for a process that only publishes).
   */
  problems(service: ServiceDef<B>, env: Record<string, string>, running: string[]): string[];
  /** Its variables whose values are safe to repeat in an error message. */
  readonly echoed: readonly string[];
  /**
   * The broker keeps aside the events no queue is bound to (RabbitMQ: `<service>.unrouted`): the
   * publisher counts those of a type no consumer of the service handles as unrouted.
   */
  readonly keepsUnrouted: boolean;
}

interface BaseConfig {
  port: number;
  /** Names of the consumers this process runs. */
  consumers: string[];
  transport: "broker" | "memory";
  redisUrl?: string;
  databaseUrl?: string;
  logLevel: LogLevel;
  /**
   * Who may POST events (EVGEN_API_TOKENS, EVGEN_API_TOKEN as client "default"); empty: anyone.
   * Holds digests of the tokens, never the tokens.
   */
  apiClients: ApiClient[];
  httpBodyLimit: number;
  /** A request body not received within this time gets 408. */
  httpBodyTimeoutMs: number;
  /** Bytes of request bodies held at once across all requests; past it requests get 503. */
  httpBufferLimit: number;
  shutdownTimeoutMs: number;
  /** A call to an idempotency store (Redis, PostgreSQL) that takes longer fails its attempt. */
  storeTimeoutMs: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  ${p}`).join("\n")}`,
    );
  }
}

/** Variables whose values are safe to repeat in an error message (with the broker's `echoed`). */
const ECHOED = [
  "PORT",
  "EVGEN_CONSUMERS",
  "EVGEN_TRANSPORT",
  "EVGEN_SERVER",
  "LOG_LEVEL",
  "HTTP_BODY_LIMIT",
  "HTTP_BODY_TIMEOUT",
  "HTTP_BUFFER_LIMIT",
  "SHUTDOWN_TIMEOUT",
  "IDEMPOTENCY_TIMEOUT_MS",
];

/** SHUTDOWN_TIMEOUT when unset (a broker's problems may compare it with its own timeouts). */
export const SHUTDOWN_TIMEOUT_DEFAULT_MS = 15_000;

// The builders of variables, for the brokers' parts too.

/** A whole number of at least min and at most max, `fallback` when unset. */
export const wholeNumber = (min: number, max: number, fallback: number, unit = "") =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number${unit}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);

/** The items of a comma-separated list, trimmed, empty ones dropped. */
export const commaList = (text: string) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** A URL of one of these protocols ("amqp:"). */
export const urlVariable = (protocols: string[]) =>
  z.string().refine(
    (text) => {
      try {
        return protocols.includes(new URL(text).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
  );

function envSchema(service: ServiceDef) {
  const known = Object.keys(service.consumers);
  return z.object({
    PORT: wholeNumber(0, 65535, 3000),
    EVGEN_CONSUMERS: z
      .string()
      .transform(commaList)
      .check((ctx) => {
        if (ctx.value.length === 0)
          ctx.issues.push({
            code: "custom",
            input: ctx.value,
            message: "must name at least one consumer (empty runs none)",
          });
        const unknown = ctx.value.filter((name) => !known.includes(name));
        if (unknown.length > 0) {
          ctx.issues.push({
            code: "custom",
            input: ctx.value,
            message: `unknown consumer${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")} (known: ${known.join(", ") || "none"})`,
          });
        }
      })
      .optional(),
    EVGEN_TRANSPORT: z.enum(["broker", "memory"], "must be broker or memory").default("broker"),
    EVGEN_SERVER: z.string().optional(),
    REDIS_URL: urlVariable(["redis:", "rediss:"]).optional(),
    DATABASE_URL: urlVariable(["postgres:", "postgresql:"]).optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(", ")}`).default("info"),
    EVGEN_API_TOKEN: z.string().optional(),
    EVGEN_API_TOKENS: z.string().optional(),
    HTTP_BODY_LIMIT: wholeNumber(1, 1024 ** 3, 1024 * 1024, " of bytes"),
    HTTP_BODY_TIMEOUT: wholeNumber(1, 10 * 60 * 1000, 10_000, " of milliseconds"),
    HTTP_BUFFER_LIMIT: wholeNumber(1, 16 * 1024 ** 3, 64 * 1024 * 1024, " of bytes"),
    SHUTDOWN_TIMEOUT: wholeNumber(1, 24 * 60 * 60 * 1000, SHUTDOWN_TIMEOUT_DEFAULT_MS, " of milliseconds"),
    IDEMPOTENCY_TIMEOUT_MS: wholeNumber(1, 300_000, 5_000, " of milliseconds"),
  });
}

/** Requirements between variables, checked on the raw values so they are reported with the rest. */
function crossProblems(
  service: ServiceDef,
  brokerConfig: BrokerConfigPart,
  env: Record<string, string>,
  running: string[],
): string[] {
  const problems: string[] = [];
  const bodyLimit = Number(env.HTTP_BODY_LIMIT ?? 1024 * 1024);
  const bufferLimit = Number(env.HTTP_BUFFER_LIMIT ?? 64 * 1024 * 1024);
  if (bufferLimit < bodyLimit) {
    problems.push(`HTTP_BUFFER_LIMIT: must be at least HTTP_BODY_LIMIT (${bodyLimit}), or no body of that size fits`);
  }
  const servers = brokerConfig.servers(service);
  if (env.EVGEN_SERVER !== undefined && !servers.includes(env.EVGEN_SERVER)) {
    problems.push(
      `EVGEN_SERVER: not a server of the spec (${servers.length > 0 ? servers.join(", ") : "it names none"})`,
    );
  }
  problems.push(...brokerConfig.problems(service, env, running));
  // The in-memory transport (npm run dev) falls back to the memory store instead.
  if (env.EVGEN_TRANSPORT === "memory") return problems;
  for (const [store, name] of [
    ["redis", "REDIS_URL"],
    ["postgres", "DATABASE_URL"],
  ] as const) {
    const users = running.filter((consumer) => service.consumers[consumer]?.idempotency === store);
    if (users.length > 0 && !env[name]) {
      problems.push(
        `${name}: required: consumer${users.length === 1 ? "" : "s"} ${users.join(", ")} use${users.length === 1 ? "s" : ""} idempotency ${store}`,
      );
    }
    const windowed = running.filter((consumer) => service.consumers[consumer]?.window?.store === store);
    if (windowed.length > 0 && !env[name]) {
      problems.push(
        `${name}: required: consumer${windowed.length === 1 ? "" : "s"} ${windowed.join(", ")} keep${windowed.length === 1 ? "s" : ""} windows in ${store}`,
      );
    }
  }
  return problems;
}

export interface LoadConfigOptions<B extends Broker = Broker> {
  /** The part of the service's broker: its variables and connection (its runtime folder's config.ts). */
  brokerConfig: BrokerConfigPart<B>;
  /** For a process that only publishes: the consumers' store URLs are not required. */
  publisherOnly?: boolean;
}

/** One line per problem, with the value when it is safe to repeat. */
function issueLines(issues: z.core.$ZodIssue[], set: Record<string, string>, echoed: ReadonlySet<string>): string[] {
  return issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = set[name];
    return `${name}: ${issue.message}${echoed.has(name) && value !== undefined ? ` (got "${value}")` : ""}`;
  });
}

export function loadConfig<S extends ServiceDef>(
  service: S,
  env: Record<string, string | undefined>,
  options: LoadConfigOptions<S["broker"]>,
): Config<S["broker"]> {
  const brokerConfig: BrokerConfigPart = options.brokerConfig;
  if (brokerConfig.broker !== service.broker) {
    throw new Error(`the configuration part of ${brokerConfig.broker} was given for a service on ${service.broker}`);
  }
  const echoed = new Set([...ECHOED, ...brokerConfig.echoed]);
  // An empty variable (common in .env files) means "not set"; EVGEN_CONSUMERS is read below.
  const set = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
  );
  const parsed = envSchema(service).safeParse(set);
  // Its variables win, then the server EVGEN_SERVER names, then the spec's settings.
  const connection = brokerConfig.connection(service, set.EVGEN_SERVER).safeParse(set);
  const problems = [
    ...(parsed.success ? [] : issueLines(parsed.error.issues, set, echoed)),
    ...(connection.success ? [] : issueLines(connection.error.issues, set, echoed)),
  ];
  const all = Object.keys(service.consumers);
  // Unlike the others, EVGEN_CONSUMERS set and empty means something: no consumer (HTTP only).
  const running =
    env.EVGEN_CONSUMERS === undefined
      ? all
      : [...new Set(commaList(env.EVGEN_CONSUMERS))].filter((c) => all.includes(c));
  problems.push(...crossProblems(service, brokerConfig, set, options.publisherOnly ? [] : running));
  const accepted = Object.values(service.events)
    .filter((event) => event.http !== false)
    .map((event) => event.type);
  const clients = parseApiClients(set.EVGEN_API_TOKENS, set.EVGEN_API_TOKEN, accepted);
  problems.push(...clients.problems);
  if (!parsed.success || !connection.success || problems.length > 0) throw new ConfigError(problems);

  const v = parsed.data;
  const config = {
    port: v.PORT,
    consumers: running,
    transport: v.EVGEN_TRANSPORT,
    broker: service.broker,
    ...connection.data,
    ...(v.REDIS_URL ? { redisUrl: v.REDIS_URL } : {}),
    ...(v.DATABASE_URL ? { databaseUrl: v.DATABASE_URL } : {}),
    logLevel: v.LOG_LEVEL,
    apiClients: clients.clients,
    httpBodyLimit: v.HTTP_BODY_LIMIT,
    httpBodyTimeoutMs: v.HTTP_BODY_TIMEOUT,
    httpBufferLimit: v.HTTP_BUFFER_LIMIT,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT,
    storeTimeoutMs: v.IDEMPOTENCY_TIMEOUT_MS,
  } satisfies BaseConfig & { broker: Broker };
  // The connection is the one of service.broker, which TypeScript does not relate to S.
  return config as unknown as Config<S["broker"]>;
}
