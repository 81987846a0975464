// Every name evgen derives from the spec: TS identifiers, consumer groups, retry and dead-letter
// queues. Validation uses the same functions to find collisions before they reach generated code.

/** "order.created" -> "OrderCreated", "send-confirmation" -> "SendConfirmation". */
export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}

export function camelCase(text: string): string {
  return lowerFirst(pascalCase(text));
}

function lowerFirst(text: string): string {
  return text.slice(0, 1).toLowerCase() + text.slice(1);
}

/** The zod schema const of a TS type: LineItem -> lineItemSchema. */
export function schemaNameOf(typeName: string): string {
  return `${lowerFirst(typeName)}Schema`;
}

export function versionTypeName(eventTypeName: string, version: number): string {
  return `${eventTypeName}V${version}`;
}

/** The type of a consumer's handlers (consumers/<name>.ts, testing.ts): mailer -> MailerHandlers. */
export function handlersTypeName(consumerTypeName: string): string {
  return `${consumerTypeName}Handlers`;
}

// Words that cannot name a variable or an import binding in an ES module.
const RESERVED = new Set(
  (
    "await break case catch class const continue debugger default delete do else enum export extends false " +
    "finally for function if implements import in instanceof interface let new null package private protected " +
    "public return static super switch this throw true try typeof var void while with yield arguments eval"
  ).split(" "),
);

/** A consumer's identifier; a reserved word gets a "Consumer" suffix (new -> newConsumer). */
export function consumerIdent(name: string): string {
  const ident = camelCase(name);
  return RESERVED.has(ident) ? `${ident}Consumer` : ident;
}

/** Kafka consumer group and RabbitMQ queue of a consumer: its groupId or queue, else `<service>.<name>`. */
export function consumerGroup(
  service: string,
  consumer: string,
  named: { groupId?: string; queue?: string } = {},
): string {
  return named.groupId ?? named.queue ?? `${service}.${consumer}`;
}

/** Kafka: the topic holding events waiting for attempt k+1. */
export function retryQueueName(group: string, k: number): string {
  return `${group}.retry-${k}`;
}

/**
 * RabbitMQ: the wait queue of one delay (`<group>.retry-30s`). Named by its delay, so that new
 * retry settings get new queues while the old ones keep their waiting events (docs/spec.md).
 * The suffix is part of the queue's identity: written in the largest whole unit, never changed.
 */
export function waitQueueName(group: string, delayMs: number): string {
  const unit = (
    [
      ["h", 3_600_000],
      ["m", 60_000],
      ["s", 1000],
    ] as const
  ).find(([, size]) => delayMs >= size && delayMs % size === 0);
  return `${group}.retry-${unit ? `${delayMs / unit[1]}${unit[0]}` : `${delayMs}ms`}`;
}

export function deadLetterQueueName(group: string): string {
  return `${group}.dlq`;
}

/** Kafka: where `dlq replay` puts dead letters so that this consumer alone sees them again. */
export function replayTopicName(group: string): string {
  return `${group}.replay`;
}

export function defaultExchange(service: string): string {
  return `${service}.events`;
}

/** RabbitMQ: the alternate exchange of the service's exchange, and the queue bound to it, holding events no queue is bound to. */
export function unroutedName(service: string): string {
  return `${service}.unrouted`;
}

/** Description text that cannot end the block comment it is printed in. */
export function docComment(text: string): string {
  return text.replaceAll("*/", "*\\/");
}
