// Vitest global setup of both configs: runs once per `vitest run`, in the main process, before any
// test file. What it puts in process.env reaches every test worker and, through them, every process
// the tests spawn (generated services, worker scripts, `npm run dlq`).
//
// RabbitMQ: one virtual host per run. Every queue and exchange the tests declare lives there, and
// deleting the vhost at the end removes them all, however the tests ended. (Left on the shared
// broker, the quorum queues of a few runs were enough to wedge it.)
// Kafka: the names of the run's topics and consumer groups carry its tag (see uniqueName); they are
// deleted at the end.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { connect } from "amqplib";
import { Kafka, logLevel } from "kafkajs";
import { AMQP_URL, KAFKA_BROKERS, amqpHostPort, reachable } from "./brokers.js";
import { rabbitmqctl } from "./rabbitmqctl.js";

/** A run this old is over, whoever started it. */
const MAX_RUN_MS = 24 * 60 * 60_000;

export default async function setup() {
  // A vitest that a test starts (a generated project's own tests) belongs to the outer run.
  if (process.env.EVGEN_TEST_RUN) return;
  const run = randomBytes(4).toString("hex");
  process.env.EVGEN_TEST_RUN = run;
  const vhost = await createRunVhost();
  return async function teardown() {
    await deleteKafkaLeftovers(run);
    if (vhost) await rabbitmqctl("delete_vhost", vhost);
  };
}

/**
 * Creates this run's vhost and points AMQP_URL at it. Without a reachable broker, or without a
 * rabbitmqctl that drives it (a remote broker), the tests use AMQP_URL as given, except in CI:
 * there the run must leave the broker clean (and the disruptive tests need rabbitmqctl anyway).
 */
async function createRunVhost(): Promise<string | undefined> {
  if (!(await reachable(amqpHostPort(AMQP_URL)))) return undefined; // the tests skip, or fail in CI
  // Creation time, process and machine: what deleteStaleVhosts() of a later run goes by.
  const vhost = `evgen-test-${Date.now().toString(36)}-${process.pid}-${hostname()}`;
  const url = new URL(AMQP_URL);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  let added = false;
  try {
    await deleteStaleVhosts();
    await rabbitmqctl("add_vhost", vhost);
    added = true;
    await rabbitmqctl("set_permissions", "-p", vhost, decodeURIComponent(url.username) || "guest", ".*", ".*", ".*");
    // rabbitmqctl talks to the node on this machine: is it the broker AMQP_URL points at?
    await (await connect(url.toString(), { timeout: 10_000 })).close();
  } catch (error) {
    if (added) await rabbitmqctl("delete_vhost", vhost).catch(() => undefined);
    const why = `No RabbitMQ vhost for the test run (rabbitmqctl must reach the broker): ${(error as Error).message}`;
    if (process.env.CI === "true") throw new Error(why, { cause: error });
    console.warn(`${why}. The RabbitMQ tests use AMQP_URL as given.`);
    return undefined;
  }
  process.env.AMQP_URL = url.toString();
  return vhost;
}

/** Deletes the vhosts of earlier runs that ended without their teardown (killed, crashed). */
async function deleteStaleVhosts(): Promise<void> {
  const { stdout } = await rabbitmqctl("list_vhosts", "name", "--silent");
  for (const vhost of stdout.split("\n").map((line) => line.trim())) {
    if (isStale(vhost)) await rabbitmqctl("delete_vhost", vhost);
  }
}

/**
 * A run's vhost is stale once the process that made it is gone. That can only be checked on the
 * same machine: a run from another machine sharing the broker is taken to be over after MAX_RUN_MS.
 */
function isStale(vhost: string): boolean {
  const match = /^evgen-test-([0-9a-z]+)-(\d+)-(.+)$/.exec(vhost);
  if (!match) return false;
  const [, createdAt, pid, host] = match;
  if (Date.now() - parseInt(createdAt!, 36) > MAX_RUN_MS) return true;
  return host === hostname() && !isRunning(Number(pid));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, belongs to someone else
  }
}

/**
 * Deletes the Kafka topics and consumer groups whose names carry this run's tag: no other run's.
 * Best effort: a failure here is reported, not a failed run.
 */
async function deleteKafkaLeftovers(run: string): Promise<void> {
  if (!(await reachable(KAFKA_BROKERS[0]!))) return;
  const ours = (name: string) => name.includes(`-${run}-`);
  const admin = new Kafka({
    clientId: "evgen-test-teardown",
    brokers: KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId).filter(ours);
    // A SIGKILLed service stays a member until its session times out, so its groups may not be
    // deletable yet; once empty they expire by themselves (offsets.retention.minutes).
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    const topics = (await admin.listTopics()).filter(ours);
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 60_000 });
  } catch (error) {
    console.warn(`Could not delete this test run's Kafka topics: ${(error as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}
