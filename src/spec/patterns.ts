// The name rules of docs/spec.md. Anything here reaches generated code or the broker, so each
// pattern is also what makes the name safe to print there.

export const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
export const CONSUMER_NAME = /^[a-z][a-z0-9-]*$/;
/** A named server (environment) under kafka.servers or rabbitmq.servers. */
export const SERVER_NAME = /^[a-z][a-z0-9-]*$/;
/** Two or more dot-separated segments. */
export const EVENT_TYPE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
/** PascalCase. */
export const TYPE_NAME = /^[A-Z][A-Za-z0-9]*$/;
/** A field name, optionally followed by "?" (optional field). */
export const FIELD_KEY = /^[A-Za-z_][A-Za-z0-9_]*\??$/;
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const VERSION_KEY = /^[1-9][0-9]*$/;
export const DURATION = /^(\d+)(ms|s|m|h|d)$/;
/** A built-in or named type, optionally a list of it. */
export const SHORTHAND = /^[A-Za-z][A-Za-z0-9]*(\[\])?$/;
export const KAFKA_TOPIC = /^[A-Za-z0-9._-]+$/;
export const BROKER_ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$/;
export const EXCHANGE_NAME = /^[A-Za-z0-9._:-]+$/;
/** A RabbitMQ queue of a consumer: what an exchange name may hold. */
export const QUEUE_NAME = EXCHANGE_NAME;
/** A RabbitMQ routing key an event is published with: dot-separated words, no `*` or `#` wildcards. */
export const ROUTING_KEY = /^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/;

/** The flags every spec `pattern` is compiled with: in validation, the generated zod schemas and example payloads. */
export const PATTERN_FLAGS = "u";

/** Objects, lists and oneOf/anyOf inside one another in one field type (checks/nesting.ts). */
export const MAX_FIELD_NESTING = 10;

export const KAFKA_TOPIC_MAX = 249;
export const RABBITMQ_NAME_MAX_BYTES = 255;
/** Node.js timers cannot wait longer than this (a longer timer fires at once). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

export const SHORTHAND_TYPES = [
  "string",
  "number",
  "integer",
  "boolean",
  "uuid",
  "email",
  "url",
  "datetime",
  "date",
] as const;
export type ShorthandType = (typeof SHORTHAND_TYPES)[number];

/** CloudEvents attributes a filter may test besides `data.<field>`. */
export const ENVELOPE_ATTRIBUTES = ["id", "type", "source", "specversion", "time", "dataversion"] as const;

/**
 * Names JavaScript objects already have (Object.prototype's members, and `prototype`). As a field,
 * consumer or path name they would reach a prototype instead of a value, in evgen and in the
 * generated service (an optional `toString?` field would reject every payload), so none may be one.
 */
export const OBJECT_MEMBER_NAMES: ReadonlySet<string> = new Set([
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
  "constructor",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "prototype",
  "toLocaleString",
  "toString",
  "valueOf",
]);
