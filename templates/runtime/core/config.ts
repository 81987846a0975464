// Configuration comes from the environment only, parsed with zod at start. Every problem is
// reported at once; values of variables that may hold secrets are never echoed.
import { existsSync } from "node:fs";
import { z } from "zod";
import { parseApiClients, type ApiClient } from "./http-clients.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";
import type { Broker, ServiceDef } from "./types.js";

export type KafkaSaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

export interface KafkaConnectionConfig {
  brokers: string[];
  ssl: boolean;
  /** How long the group waits for a silent member (a killed process) before reassigning its partitions. */
  sessionTimeoutMs: number;
  /** The consumer group protocol of kafka.client platformatic (kafkajs speaks classic only). */
  groupProtocol: "auto" | "classic" | "consumer";
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

export interface AmqpConnectionConfig {
  url: string;
  caFile?: string;
}

/** Each broker's connection, as its variables and the spec's settings give it, under its key in Config. */
interface BrokerConnections {
  kafka: { kafka: KafkaConnectionConfig };
  rabbitmq: { amqp: AmqpConnectionConfig };
}

/** The part of Config that is broker B's: its name and its connection. */
type BrokerConnection<B extends Broker = Broker> = B extends Broker ? { broker: B } & BrokerConnections[B] : never;

/** The configuration of a service on broker B: the common settings and that broker's connection only. */
export type Config<B extends Broker = Broker> = BaseConfig & BrokerConnection<B>;

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

/** Variables whose values are safe to repeat in an error message. */
const ECHOED = new Set([
  "PORT",
  "EVGEN_CONSUMERS",
  "EVGEN_TRANSPORT",
  "EVGEN_SERVER",
  "KAFKA_BROKERS",
  "KAFKA_SASL_MECHANISM",
  "KAFKA_SSL",
  "KAFKA_SESSION_TIMEOUT_MS",
  "KAFKA_GROUP_PROTOCOL",
  "AMQP_CA_FILE",
  "LOG_LEVEL",
  "HTTP_BODY_LIMIT",
  "HTTP_BODY_TIMEOUT",
  "HTTP_BUFFER_LIMIT",
  "SHUTDOWN_TIMEOUT",
  "IDEMPOTENCY_TIMEOUT_MS",
]);

const wholeNumber = (min: number, max: number, fallback: number, unit = "") =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number${unit}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);

const list = (text: string) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

const url = (protocols: string[]) =>
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
      .transform(list)
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
    REDIS_URL: url(["redis:", "rediss:"]).optional(),
    DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(", ")}`).default("info"),
    EVGEN_API_TOKEN: z.string().optional(),
    EVGEN_API_TOKENS: z.string().optional(),
    HTTP_BODY_LIMIT: wholeNumber(1, 1024 ** 3, 1024 * 1024, " of bytes"),
    HTTP_BODY_TIMEOUT: wholeNumber(1, 10 * 60 * 1000, 10_000, " of milliseconds"),
    HTTP_BUFFER_LIMIT: wholeNumber(1, 16 * 1024 ** 3, 64 * 1024 * 1024, " of bytes"),
    SHUTDOWN_TIMEOUT: wholeNumber(1, 24 * 60 * 60 * 1000, 15_000, " of milliseconds"),
    IDEMPOTENCY_TIMEOUT_MS: wholeNumber(1, 300_000, 5_000, " of milliseconds"),
  });
}

/** The variables of each broker: a service reads only its own broker's. */
const brokerVariables = {
  kafka: z.object({
    KAFKA_BROKERS: z
      .string()
      .transform(list)
      .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, "must be a comma-separated list of host:port")).min(1))
      .optional(),
    KAFKA_SASL_MECHANISM: z
      .string()
      .transform((text) => text.toLowerCase())
      .pipe(z.enum(["plain", "scram-sha-256", "scram-sha-512"], "must be plain, scram-sha-256 or scram-sha-512"))
      .optional(),
    KAFKA_SASL_USERNAME: z.string().optional(),
    KAFKA_SASL_PASSWORD: z.string().optional(),
    KAFKA_SESSION_TIMEOUT_MS: wholeNumber(6_000, 300_000, 30_000, " of milliseconds"),
    KAFKA_GROUP_PROTOCOL: z
      .enum(["auto", "classic", "consumer"], "must be auto, classic or consumer")
      .default("classic"),
    KAFKA_SSL: z
      .enum(["true", "false", "1", "0"], "must be true or false")
      .transform((text) => text === "true" || text === "1")
      .default(false),
  }),
  rabbitmq: z.object({
    AMQP_URL: url(["amqp:", "amqps:"]).optional(),
    AMQP_CA_FILE: z.string().refine(existsSync, "file not found").optional(),
  }),
} satisfies Record<Broker, z.ZodObject>;

/** Requirements between variables, checked on the raw values so they are reported with the rest. */
function crossProblems(service: ServiceDef, env: Record<string, string>, running: string[]): string[] {
  const problems: string[] = [];
  const bodyLimit = Number(env.HTTP_BODY_LIMIT ?? 1024 * 1024);
  const bufferLimit = Number(env.HTTP_BUFFER_LIMIT ?? 64 * 1024 * 1024);
  if (bufferLimit < bodyLimit) {
    problems.push(`HTTP_BUFFER_LIMIT: must be at least HTTP_BODY_LIMIT (${bodyLimit}), or no body of that size fits`);
  }
  const servers = Object.keys((service.broker === "kafka" ? service.kafka.servers : service.rabbitmq.servers) ?? {});
  if (env.EVGEN_SERVER !== undefined && !servers.includes(env.EVGEN_SERVER)) {
    problems.push(
      `EVGEN_SERVER: not a server of the spec (${servers.length > 0 ? servers.join(", ") : "it names none"})`,
    );
  }
  if (env.KAFKA_SASL_MECHANISM && service.broker === "kafka") {
    for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"]) {
      if (!env[name]) problems.push(`${name}: required when KAFKA_SASL_MECHANISM is set`);
    }
  }
  // A member still stopping when its session times out has its partitions handed to another
  // while its handlers run: the stop must end (and leave the group) within the session timeout.
  const shutdownMs = Number(env.SHUTDOWN_TIMEOUT ?? 15_000);
  const sessionMs = Number(env.KAFKA_SESSION_TIMEOUT_MS ?? 30_000);
  if (service.broker === "kafka" && env.EVGEN_TRANSPORT !== "memory" && running.length > 0 && shutdownMs >= sessionMs) {
    problems.push(
      `SHUTDOWN_TIMEOUT: must be below KAFKA_SESSION_TIMEOUT_MS (${sessionMs}), so that a stopping consumer leaves its group before the group gives its partitions away`,
    );
  }
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

export interface LoadConfigOptions {
  /** For a process that only publishes: the consumers' store URLs are not required. */
  publisherOnly?: boolean;
}

/** One line per problem, with the value when it is safe to repeat. */
function issueLines(issues: z.core.$ZodIssue[], set: Record<string, string>): string[] {
  return issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = set[name];
    return `${name}: ${issue.message}${ECHOED.has(name) && value !== undefined ? ` (got "${value}")` : ""}`;
  });
}

/**
 * The connection to the service's broker: its variables win, then the server EVGEN_SERVER names,
 * then the spec's settings. The problems of its variables when they do not parse.
 */
function connectionOf(service: ServiceDef, set: Record<string, string>): BrokerConnection | string[] {
  const server = set.EVGEN_SERVER;
  if (service.broker === "kafka") {
    const parsed = brokerVariables.kafka.safeParse(set);
    if (!parsed.success) return issueLines(parsed.error.issues, set);
    const v = parsed.data;
    const { servers, brokers } = service.kafka;
    const sasl =
      v.KAFKA_SASL_MECHANISM && v.KAFKA_SASL_USERNAME && v.KAFKA_SASL_PASSWORD
        ? { mechanism: v.KAFKA_SASL_MECHANISM, username: v.KAFKA_SASL_USERNAME, password: v.KAFKA_SASL_PASSWORD }
        : undefined;
    return {
      broker: "kafka",
      kafka: {
        brokers: v.KAFKA_BROKERS ?? (server ? servers?.[server] : undefined) ?? brokers,
        ssl: v.KAFKA_SSL,
        sessionTimeoutMs: v.KAFKA_SESSION_TIMEOUT_MS,
        groupProtocol: v.KAFKA_GROUP_PROTOCOL,
        ...(sasl ? { sasl } : {}),
      },
    };
  }
  const parsed = brokerVariables.rabbitmq.safeParse(set);
  if (!parsed.success) return issueLines(parsed.error.issues, set);
  const v = parsed.data;
  const { servers, url } = service.rabbitmq;
  return {
    broker: "rabbitmq",
    amqp: {
      url: v.AMQP_URL ?? (server ? servers?.[server] : undefined) ?? url,
      ...(v.AMQP_CA_FILE ? { caFile: v.AMQP_CA_FILE } : {}),
    },
  };
}

export function loadConfig<S extends ServiceDef>(
  service: S,
  env: Record<string, string | undefined>,
  options: LoadConfigOptions = {},
): Config<S["broker"]> {
  // An empty variable (common in .env files) means "not set"; EVGEN_CONSUMERS is read below.
  const set = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
  );
  const parsed = envSchema(service).safeParse(set);
  const connection = connectionOf(service, set);
  const problems = [
    ...(parsed.success ? [] : issueLines(parsed.error.issues, set)),
    ...(Array.isArray(connection) ? connection : []),
  ];
  const all = Object.keys(service.consumers);
  // Unlike the others, EVGEN_CONSUMERS set and empty means something: no consumer (HTTP only).
  const running =
    env.EVGEN_CONSUMERS === undefined ? all : [...new Set(list(env.EVGEN_CONSUMERS))].filter((c) => all.includes(c));
  problems.push(...crossProblems(service, set, options.publisherOnly ? [] : running));
  const accepted = Object.values(service.events)
    .filter((event) => event.http !== false)
    .map((event) => event.type);
  const clients = parseApiClients(set.EVGEN_API_TOKENS, set.EVGEN_API_TOKEN, accepted);
  problems.push(...clients.problems);
  if (!parsed.success || Array.isArray(connection) || problems.length > 0) throw new ConfigError(problems);

  const v = parsed.data;
  const config: Config = {
    port: v.PORT,
    consumers: running,
    transport: v.EVGEN_TRANSPORT,
    ...connection,
    ...(v.REDIS_URL ? { redisUrl: v.REDIS_URL } : {}),
    ...(v.DATABASE_URL ? { databaseUrl: v.DATABASE_URL } : {}),
    logLevel: v.LOG_LEVEL,
    apiClients: clients.clients,
    httpBodyLimit: v.HTTP_BODY_LIMIT,
    httpBodyTimeoutMs: v.HTTP_BODY_TIMEOUT,
    httpBufferLimit: v.HTTP_BUFFER_LIMIT,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT,
    storeTimeoutMs: v.IDEMPOTENCY_TIMEOUT_MS,
  };
  // The connection follows service.broker, which TypeScript does not relate to S.
  return config as unknown as Config<S["broker"]>;
}
