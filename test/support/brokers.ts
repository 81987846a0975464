// Broker availability for integration tests: on a laptop without a broker the tests skip;
// in CI (CI=true) a missing broker is a failure, never a skip.
import net from "node:net";

/** KAFKA_BROKERS, or the broker scripts/kafka.sh runs (on KAFKA_PORT, default 9092). */
export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? "9092"}`).split(",");
/** The test run's own virtual host once the global setup (global-setup.ts) has made one. */
export const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
/** The virtual host AMQP_URL names, for rabbitmqctl's -p / --vhost. */
export const RABBIT_VHOST = decodeURIComponent(new URL(AMQP_URL).pathname.slice(1)) || "/";
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export function reachable(hostPort: string, timeoutMs = 1000): Promise<boolean> {
  const [host, port] = hostPort.split(":");
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function require(name: string, hostPort: string): Promise<boolean> {
  const ok = await reachable(hostPort);
  if (!ok && process.env.CI === "true") {
    throw new Error(`${name} is required in CI but ${hostPort} is not reachable`);
  }
  return ok;
}

/** host:port of an AMQP URL (5672 when it names none). */
export const amqpHostPort = (url: string) => `${new URL(url).hostname || "127.0.0.1"}:${new URL(url).port || 5672}`;

export const hasKafka = () => require("Kafka", KAFKA_BROKERS[0]!);
export const hasRabbit = () => require("RabbitMQ", amqpHostPort(AMQP_URL));
export const hasPostgres = () => require("PostgreSQL", "127.0.0.1:5432");
export const hasRedis = () => require("Redis", "127.0.0.1:6379");

/**
 * The tag of this test run, set by the global setup: every uniqueName carries it, so that the run
 * can find (and delete) the Kafka topics and groups it created, and no other run's.
 */
const RUN = process.env.EVGEN_TEST_RUN;

/** A name no other test run uses, safe for topics, groups and queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${RUN ? `${RUN}-` : ""}${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
