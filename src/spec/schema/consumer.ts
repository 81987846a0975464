import * as z from "zod";
import { EVENT_TYPE, KAFKA_TOPIC, QUEUE_NAME } from "../patterns.js";
import { parseDuration } from "../duration.js";
import { duration, longDuration, matching, requiredDuration } from "./common.js";

/** How failed deliveries wait on Kafka unless the spec says otherwise (docs/spec.md). */
export const DEFAULT_RETRY_MODE = "non-blocking";

/** How long a handled event is remembered unless the spec says otherwise. */
export const DEFAULT_IDEMPOTENCY_TTL = "7d";

const idempotencyStore = z
  .enum(["none", "memory", "redis", "postgres"])
  .describe("none, memory (per process), redis (REDIS_URL) or postgres (DATABASE_URL).");

const eventType = matching(EVENT_TYPE, "event types are 2+ dot-separated segments of [a-z][a-z0-9-]*");
const filterValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const filterBound = z.union([z.number(), z.string()]);

/** Conditions on one filter path beside equality; all of them must hold. */
const filterConditions = z
  .strictObject({
    not: z
      .union([filterValue, z.array(filterValue).min(1)])
      .optional()
      .describe("The value is none of these (an absent field passes)."),
    exists: z.boolean().optional().describe("true: the field is present and not null; false: absent or null."),
    gt: filterBound.optional().describe("Greater than: a number, or a date-time / date for such fields."),
    gte: filterBound.optional().describe("Greater than or equal: a number, or a date-time / date."),
    lt: filterBound.optional().describe("Less than: a number, or a date-time / date."),
    lte: filterBound.optional().describe("Less than or equal: a number, or a date-time / date."),
    contains: filterValue.optional().describe("A list field holds this value."),
  })
  .describe("Conditions on the value at the path: not, exists, gt, gte, lt, lte, contains.");

const retrySchema = z
  .strictObject({
    attempts: z
      .int()
      .min(1)
      .max(100)
      .default(4)
      .describe("Deliveries in total, the first included; 1 = no retry. Default 4."),
    delay: duration("1s", "Wait before the first retry."),
    backoff: z
      .enum(["exponential", "fixed"])
      .default("exponential")
      .describe("exponential: delay * 2^(n-1), capped by maxDelay; fixed: always delay. Default exponential."),
    maxDelay: duration("5m", "Longest wait between two attempts."),
    mode: z
      .enum(["non-blocking", "blocking"])
      .optional()
      .describe(
        "Kafka only. non-blocking: retries wait on retry topics; blocking: retry in place, keeping key order. Default non-blocking.",
      ),
  })
  .describe("How failed deliveries are retried.");

/** A window consumer's state store: memory (per process, lost on restart), redis or postgres. */
const windowStore = z
  .enum(["memory", "redis", "postgres"])
  .describe("memory (per process, lost on restart), redis (REDIS_URL) or postgres (DATABASE_URL).");

const windowSchema = z
  .strictObject({
    size: requiredDuration("Length of each tumbling window, aligned on the epoch (1m: 12:00:00-12:01:00).", "100ms"),
    by: z
      .string()
      .describe("Dot path data.<field>... to a required scalar field of every `on` event: one window per value."),
    grace: duration("0s", "How long after its end a window still takes late events before it closes."),
    store: windowStore.default("memory"),
  })
  .describe(
    "Tumbling-window aggregation: events are folded per key and window by the handler module's defineAggregate; " +
      "when the clock passes a window's end + grace, its result is published as the consumer's one emits event.",
  );

const PERCENT = /^\d{1,3}(?:\.\d+)?%$/;

const circuitBreakerSchema = z
  .strictObject({
    failureRate: z
      .string()
      .regex(PERCENT, { error: (issue) => `'${String(issue.input)}' is not a percentage: write <n>%, such as 50%` })
      .transform((text) => Number(text.slice(0, -1)) / 100)
      .pipe(z.number().gt(0, "must be above 0%").max(1, "must not exceed 100%"))
      .prefault("50%")
      .describe("Share of failed handler calls in the window that opens the circuit, as <n>%. Default 50%."),
    minimumCalls: z
      .int()
      .min(1)
      .max(1_000_000)
      .default(20)
      .describe("Handler calls within the window before the failure rate counts. Default 20."),
    window: duration("30s", "How far back handler calls are counted."),
    openFor: duration("15s", "How long the circuit stays open before a probe goes through."),
  })
  .describe(
    "Stops taking events while the handlers keep failing (errors and timeouts): open for openFor, then one " +
      "probe; events failing meanwhile wait instead of using up their retries.",
  );

export const consumerSchema = z
  .strictObject({
    description: z.string().optional().describe("What the consumer does; shown in generated code and docs."),
    on: z.array(eventType).min(1).describe("Event types it handles (declared under events)."),
    emits: z.array(eventType).default([]).describe("Event types its handlers may publish (ctx.publish)."),
    groupId: matching(KAFKA_TOPIC, "group ids are letters, digits, '.', '_' and '-' (they name its retry topics)")
      .optional()
      .describe(
        "Kafka only: the consumer group (default <service>.<name>); its retry and dead-letter topics are named after it.",
      ),
    queue: matching(QUEUE_NAME, "queue names are letters, digits, '.', '_', ':' and '-'")
      .refine((name) => !name.startsWith("amq."), "queue names starting with 'amq.' are reserved by RabbitMQ")
      .optional()
      .describe(
        "RabbitMQ only: the queue (default <service>.<name>); its wait and dead-letter queues are named after it.",
      ),
    filter: z
      .record(z.string(), z.union([filterValue, z.array(filterValue).min(1), filterConditions]))
      .default({})
      .describe(
        "Dot path (data.<field>... or an envelope attribute such as type) -> value, a list of values (one of), " +
          "or conditions { not, exists, gt, gte, lt, lte, contains }. " +
          "Non-matching events are acknowledged and counted as skipped.",
      ),
    concurrency: z.int().min(1).max(1000).default(1).describe("Handlers in flight at once. Default 1."),
    timeout: duration("30s", "A handler running longer is a failed attempt."),
    retry: retrySchema.prefault({}),
    circuitBreaker: circuitBreakerSchema.optional(),
    deadLetter: z
      .boolean()
      .default(true)
      .describe(
        "true: after the last attempt the event goes to <service>.<consumer>.dlq; false: it is dropped with an error log.",
      ),
    window: windowSchema.optional(),
    idempotency: z
      .union([
        z.strictObject({
          store: idempotencyStore.default("memory"),
          ttl: longDuration(
            DEFAULT_IDEMPOTENCY_TTL,
            "How long a handled event is remembered: Redis keys expire, PostgreSQL rows are pruned.",
            "3650d",
          ),
        }),
        idempotencyStore,
      ])
      .default("memory")
      .transform((value) =>
        typeof value === "string" ? { store: value, ttl: parseDuration(DEFAULT_IDEMPOTENCY_TTL)! } : value,
      )
      .describe(
        "Where handled event ids are remembered (REDIS_URL / DATABASE_URL at run time), as a store name or " +
          `{ store, ttl }. Default memory, remembered ${DEFAULT_IDEMPOTENCY_TTL}.`,
      ),
  })
  .describe("A consumer: Kafka group / RabbitMQ queue <service>.<name> unless groupId / queue names it.");

export type ConsumerSpec = z.output<typeof consumerSchema>;
export type RetrySpec = ConsumerSpec["retry"];
