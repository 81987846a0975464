// What RabbitMQ's block of the spec means when it says nothing, as plain values: the spec's schema
// (spec.ts) defaults to them, and the AsyncAPI import leaves out what says no more, without zod.

export const DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";

/** rabbitmq.queueType and rabbitmq.prefetch when the spec says nothing. */
export const RABBITMQ_DEFAULTS = { queueType: "quorum", prefetch: 50 } as const;
