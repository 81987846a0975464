import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../templates/runtime/core/config.js";
import { rabbitmqConfig } from "../../templates/runtime/rabbitmq/config.js";
import { kafkaConfig } from "../../templates/runtime/kafka/config.js";
import { onRabbitMQ, shopService } from "./fixtures.js";

const service = shopService({
  mailer: { on: ["order.created"], idempotency: "redis" },
  audit: { on: ["notification.sent"], idempotency: "postgres" },
  texter: { on: ["order.created"] },
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(service, env, { brokerConfig: kafkaConfig });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("EVGEN_SERVER picks one of the spec's named servers; KAFKA_BROKERS and AMQP_URL still win; an unknown name is a problem", () => {
    const env = { REDIS_URL: "redis://r", DATABASE_URL: "postgres://db/x" };
    const named = { ...service, kafka: { ...service.kafka, servers: { production: ["p1:9092", "p2:9092"] } } };
    const rabbit = onRabbitMQ(service);
    const namedRabbit = {
      ...rabbit,
      rabbitmq: { ...rabbit.rabbitmq, servers: { production: "amqps://rabbit.prod/shop" } },
    };
    expect(
      loadConfig(named, { ...env, EVGEN_SERVER: "production" }, { brokerConfig: kafkaConfig }).kafka.brokers,
    ).toEqual(["p1:9092", "p2:9092"]);
    expect(
      loadConfig(namedRabbit, { ...env, EVGEN_SERVER: "production" }, { brokerConfig: rabbitmqConfig }).amqp.url,
    ).toBe("amqps://rabbit.prod/shop");
    expect(
      loadConfig(
        namedRabbit,
        { ...env, EVGEN_SERVER: "production", AMQP_URL: "amqp://mq" },
        { brokerConfig: rabbitmqConfig },
      ).amqp.url,
    ).toBe("amqp://mq");
    expect(
      loadConfig(named, { ...env, EVGEN_SERVER: "production", KAFKA_BROKERS: "k:9092" }, { brokerConfig: kafkaConfig })
        .kafka.brokers,
    ).toEqual(["k:9092"]);
    expect(loadConfig(named, env, { brokerConfig: kafkaConfig }).kafka.brokers).toEqual(["127.0.0.1:9092"]);
    let problems: string[] = [];
    try {
      loadConfig(named, { ...env, EVGEN_SERVER: "prod" }, { brokerConfig: kafkaConfig });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual(["EVGEN_SERVER: not a server of the spec (production)"]);
    expect(problemsOf({ ...env, EVGEN_SERVER: "production" })).toEqual([
      "EVGEN_SERVER: not a server of the spec (it names none)",
    ]);
  });

  it("applies the defaults and the spec's broker settings", () => {
    const config = loadConfig(
      service,
      {
        REDIS_URL: "redis://127.0.0.1:6379",
        DATABASE_URL: "postgres://db/x",
      },
      { brokerConfig: kafkaConfig },
    );
    expect(config).toEqual({
      port: 3000,
      consumers: ["mailer", "audit", "texter"],
      transport: "broker",
      broker: "kafka",
      kafka: { brokers: ["127.0.0.1:9092"], ssl: false, sessionTimeoutMs: 30_000, groupProtocol: "classic" },
      redisUrl: "redis://127.0.0.1:6379",
      databaseUrl: "postgres://db/x",
      logLevel: "info",
      apiClients: [],
      httpBodyLimit: 1048576,
      httpBodyTimeoutMs: 10000,
      httpBufferLimit: 67108864,
      shutdownTimeoutMs: 15000,
      storeTimeoutMs: 5000,
    });
  });

  it("holds only the connection of the service's broker, from the spec's settings of that broker", () => {
    const env = { EVGEN_TRANSPORT: "memory" };
    const onKafka = loadConfig(service, env, { brokerConfig: kafkaConfig });
    expect(onKafka).toMatchObject({ broker: "kafka" });
    expect(onKafka).not.toHaveProperty("amqp");
    const onRabbit = loadConfig(onRabbitMQ(service), env, { brokerConfig: rabbitmqConfig });
    expect(onRabbit).toMatchObject({ broker: "rabbitmq", amqp: { url: "amqp://guest:guest@127.0.0.1:5672" } });
    expect(onRabbit).not.toHaveProperty("kafka");
  });

  it("reads only the variables of the service's broker", () => {
    // A Kafka service ignores AMQP_URL however it is written, and a RabbitMQ service KAFKA_BROKERS.
    expect(
      loadConfig(service, { EVGEN_TRANSPORT: "memory", AMQP_URL: "not a url" }, { brokerConfig: kafkaConfig })
        .transport,
    ).toBe("memory");
    expect(
      loadConfig(
        onRabbitMQ(service),
        { EVGEN_TRANSPORT: "memory", KAFKA_BROKERS: "no-port" },
        { brokerConfig: rabbitmqConfig },
      ).transport,
    ).toBe("memory");
  });

  it("reads every variable", () => {
    const config = loadConfig(
      service,
      {
        PORT: "8080",
        EVGEN_CONSUMERS: "texter, mailer",
        EVGEN_TRANSPORT: "broker",
        KAFKA_BROKERS: "k1:9092,k2:9093",
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_SASL_USERNAME: "svc",
        KAFKA_SASL_PASSWORD: "s3cret",
        KAFKA_SSL: "true",
        KAFKA_SESSION_TIMEOUT_MS: "10000",
        KAFKA_GROUP_PROTOCOL: "consumer",
        REDIS_URL: "rediss://cache:6380",
        LOG_LEVEL: "debug",
        EVGEN_API_TOKEN: "tok",
        HTTP_BODY_LIMIT: "2048",
        SHUTDOWN_TIMEOUT: "500",
        IDEMPOTENCY_TIMEOUT_MS: "250",
      },
      { brokerConfig: kafkaConfig },
    );
    expect(config).toMatchObject({
      port: 8080,
      consumers: ["texter", "mailer"],
      kafka: {
        brokers: ["k1:9092", "k2:9093"],
        ssl: true,
        sessionTimeoutMs: 10_000,
        groupProtocol: "consumer",
        sasl: { mechanism: "scram-sha-512", username: "svc", password: "s3cret" },
      },
      redisUrl: "rediss://cache:6380",
      logLevel: "debug",
      apiClients: [{ name: "default" }],
      httpBodyLimit: 2048,
      shutdownTimeoutMs: 500,
      storeTimeoutMs: 250,
    });
  });

  it("reports every problem at once, one line per variable", () => {
    const problems = problemsOf({
      PORT: "eighty",
      EVGEN_CONSUMERS: "mailer,ghost",
      EVGEN_TRANSPORT: "carrier-pigeon",
      KAFKA_BROKERS: "no-port",
      KAFKA_SASL_MECHANISM: "gssapi",
      KAFKA_SSL: "maybe",
      KAFKA_SESSION_TIMEOUT_MS: "1000",
      KAFKA_GROUP_PROTOCOL: "kip848",
      LOG_LEVEL: "loud",
      HTTP_BODY_LIMIT: "0",
      SHUTDOWN_TIMEOUT: "-1",
    });
    expect(problems).toEqual([
      'PORT: must be a whole number (got "eighty")',
      'EVGEN_CONSUMERS: unknown consumer ghost (known: mailer, audit, texter) (got "mailer,ghost")',
      'EVGEN_TRANSPORT: must be broker or memory (got "carrier-pigeon")',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'HTTP_BODY_LIMIT: must be at least 1 (got "0")',
      'SHUTDOWN_TIMEOUT: must be a whole number of milliseconds (got "-1")',
      'KAFKA_BROKERS: must be a comma-separated list of host:port (got "no-port")',
      'KAFKA_SASL_MECHANISM: must be plain, scram-sha-256 or scram-sha-512 (got "gssapi")',
      'KAFKA_SESSION_TIMEOUT_MS: must be at least 6000 (got "1000")',
      'KAFKA_GROUP_PROTOCOL: must be auto, classic or consumer (got "kip848")',
      'KAFKA_SSL: must be true or false (got "maybe")',
      "KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set",
      "KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set",
      "REDIS_URL: required: consumer mailer uses idempotency redis",
    ]);
  });

  it("requires store URLs only for the consumers that run, and not on the memory transport", () => {
    expect(loadConfig(service, { EVGEN_CONSUMERS: "texter" }, { brokerConfig: kafkaConfig }).consumers).toEqual([
      "texter",
    ]);
    expect(problemsOf({ EVGEN_CONSUMERS: "audit" })).toEqual([
      "DATABASE_URL: required: consumer audit uses idempotency postgres",
    ]);
    expect(loadConfig(service, { EVGEN_TRANSPORT: "memory" }, { brokerConfig: kafkaConfig }).transport).toBe("memory");
    expect(loadConfig(service, {}, { brokerConfig: kafkaConfig, publisherOnly: true }).transport).toBe("broker");
  });

  it("requires the shutdown to end within the Kafka session timeout, where consumers run on Kafka", () => {
    const env = { EVGEN_CONSUMERS: "texter", KAFKA_SESSION_TIMEOUT_MS: "10000" };
    expect(problemsOf({ ...env, SHUTDOWN_TIMEOUT: "10000" })).toEqual([
      "SHUTDOWN_TIMEOUT: must be below KAFKA_SESSION_TIMEOUT_MS (10000), so that a stopping consumer leaves its group before the group gives its partitions away",
    ]);
    expect(problemsOf({ EVGEN_CONSUMERS: "texter", SHUTDOWN_TIMEOUT: "30000" })).toHaveLength(1); // default session 30 s
    expect(
      loadConfig(service, { ...env, SHUTDOWN_TIMEOUT: "9999" }, { brokerConfig: kafkaConfig }).shutdownTimeoutMs,
    ).toBe(9999);
    expect(
      loadConfig(service, { EVGEN_CONSUMERS: "", SHUTDOWN_TIMEOUT: "60000" }, { brokerConfig: kafkaConfig }).consumers,
    ).toEqual([]);
    expect(
      loadConfig(service, { EVGEN_TRANSPORT: "memory", SHUTDOWN_TIMEOUT: "60000" }, { brokerConfig: kafkaConfig })
        .transport,
    ).toBe("memory");
  });

  it("requires the HTTP buffer limit to hold at least one body of the largest size", () => {
    expect(problemsOf({ EVGEN_TRANSPORT: "memory", HTTP_BODY_LIMIT: "4096", HTTP_BUFFER_LIMIT: "4095" })).toEqual([
      "HTTP_BUFFER_LIMIT: must be at least HTTP_BODY_LIMIT (4096), or no body of that size fits",
    ]);
    expect(
      loadConfig(
        service,
        {
          EVGEN_TRANSPORT: "memory",
          HTTP_BODY_LIMIT: "4096",
          HTTP_BODY_TIMEOUT: "500",
          HTTP_BUFFER_LIMIT: "4096",
        },
        { brokerConfig: kafkaConfig },
      ),
    ).toMatchObject({
      httpBodyTimeoutMs: 500,
      httpBufferLimit: 4096,
    });
  });

  it("treats empty variables as unset", () => {
    expect(
      loadConfig(service, { PORT: "", LOG_LEVEL: "", EVGEN_TRANSPORT: "memory" }, { brokerConfig: kafkaConfig }),
    ).toMatchObject({
      port: 3000,
      logLevel: "info",
      consumers: ["mailer", "audit", "texter"],
    });
  });

  it("runs no consumer when EVGEN_CONSUMERS is set and empty (HTTP only), all when it is unset", () => {
    // No store URL is required either: no consumer that needs one runs.
    expect(loadConfig(service, { EVGEN_CONSUMERS: "" }, { brokerConfig: kafkaConfig }).consumers).toEqual([]);
    expect(loadConfig(service, {}, { brokerConfig: kafkaConfig, publisherOnly: true }).consumers).toEqual([
      "mailer",
      "audit",
      "texter",
    ]);
    expect(problemsOf({ EVGEN_CONSUMERS: " , " })).toEqual([
      'EVGEN_CONSUMERS: must name at least one consumer (empty runs none) (got " , ")',
    ]);
  });

  it("never repeats a value that may be a secret", () => {
    const error = (() => {
      try {
        return loadConfig(
          onRabbitMQ(service),
          {
            EVGEN_TRANSPORT: "memory",
            AMQP_URL: "http://user:hunter2@mq",
            REDIS_URL: "tcp://:hunter2@cache",
            DATABASE_URL: "mysql://root:hunter2@db",
          },
          { brokerConfig: rabbitmqConfig },
        );
      } catch (e) {
        return e as ConfigError;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("AMQP_URL: must be a URL starting with amqp:// or amqps://");
    expect(error.message).toContain("REDIS_URL: must be a URL starting with redis:// or rediss://");
    expect(error.message).toContain("DATABASE_URL: must be a URL starting with postgres:// or postgresql://");
    expect(error.message).not.toContain("hunter2");
    expect(error.message.split("\n")[0]).toBe("Invalid configuration (3 problems):");
  });

  it("reads API clients from EVGEN_API_TOKENS beside EVGEN_API_TOKEN, keeping digests of their tokens", () => {
    const config = loadConfig(
      service,
      {
        EVGEN_TRANSPORT: "memory",
        EVGEN_API_TOKEN: "tok",
        EVGEN_API_TOKENS: "shop:shop-token-0123456789:order.created|order.shipped, ops:ops-token-0123456789abc",
      },
      { brokerConfig: kafkaConfig },
    );
    expect(config.apiClients.map(({ name, types }) => ({ name, types: types && [...types] }))).toEqual([
      { name: "default", types: undefined },
      { name: "shop", types: ["order.created", "order.shipped"] },
      { name: "ops", types: undefined },
    ]);
    expect(JSON.stringify(config)).not.toContain("shop-token");
  });

  it("refuses malformed EVGEN_API_TOKENS with every problem, never repeating a token", () => {
    const problems = problemsOf({
      EVGEN_TRANSPORT: "memory",
      EVGEN_API_TOKEN: "same-token-0123456789",
      EVGEN_API_TOKENS: [
        "nocolon",
        "",
        "Shop:shop-token-0123456789",
        "short:hunter2",
        "a:b:c:d",
        "ops:ops-token-0123456789:order.created|order.deleted",
        "default:dflt-token-0123456789",
        "twin:same-token-0123456789",
        "spaced:with space 0123456789",
      ].join(","),
    });
    expect(problems).toEqual([
      'EVGEN_API_TOKENS: entry 1 must be name:token or name:token:type|type (a token holds no ":" or ",")',
      "EVGEN_API_TOKENS: entry 2 is empty (expected name:token[:type|type...])",
      'EVGEN_API_TOKENS: entry 3: client name "Shop" must match [a-z0-9][a-z0-9_-]* (at most 64)',
      'EVGEN_API_TOKENS: client short: its token must be 16 to 512 printable characters without spaces, ",", ":" or "|"',
      'EVGEN_API_TOKENS: entry 5 must be name:token or name:token:type|type (a token holds no ":" or ",")',
      'EVGEN_API_TOKENS: client ops may publish "order.deleted", which POST /events does not accept (accepted: order.created, order.shipped, notification.sent)',
      "EVGEN_API_TOKENS: client default is named twice (EVGEN_API_TOKEN's client is named default)",
      "EVGEN_API_TOKENS: client twin has the token of another client",
      'EVGEN_API_TOKENS: client spaced: its token must be 16 to 512 printable characters without spaces, ",", ":" or "|"',
    ]);
    expect(problems.join("\n")).not.toMatch(/hunter2|token-0123456789/);
  });

  it("refuses a client limited to an event POST /events does not accept (http: false)", () => {
    const hidden = {
      ...service,
      events: { ...service.events, "notification.sent": { ...service.events["notification.sent"]!, http: false } },
    };
    expect(() =>
      loadConfig(
        hidden,
        { EVGEN_TRANSPORT: "memory", EVGEN_API_TOKENS: "ops:ops-token-0123456789:notification.sent" },
        { brokerConfig: kafkaConfig },
      ),
    ).toThrow(
      'client ops may publish "notification.sent", which POST /events does not accept (accepted: order.created, order.shipped)',
    );
  });
});
