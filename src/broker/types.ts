// What the generator needs to know about a broker, in one place (docs/architecture.md, "Brokers"):
// the generator asks the project's descriptor instead of branching on the broker's name.
import type { JsonObject } from "../asyncapi/document.js";
import type { ImportContext, MessageInfo } from "../asyncapi/import/context.js";
import type { Obj } from "../asyncapi/import/json.js";
import type { BrokerSettings, IR, IRConsumer, IREvent, IRRetry, IRVersion } from "../ir/types.js";
import type { BrokerName } from "../spec/schema/brokers.js";
import type { Spec } from "../spec/schema/spec.js";
import type { CheckContext } from "../validate/checks/context.js";

export type { BrokerName };

/** The broker-specific fields of the project view, read by the templates and their partials. */
export interface BrokerView {
  /** Runtime module (no extension) of the transport, and of the dead-letter tool, under runtime/. */
  transportModule: string;
  deadLettersModule: string;
  /** Everything else the broker's partials print (templates/<broker>/*.hbs). */
  [field: string]: string | false;
}

/** The event catalog's broker lines, in Markdown (src/docs/text.ts escapes what comes from the spec). */
export interface BrokerCatalog<N extends BrokerName = BrokerName> {
  /** The overview's broker: "Kafka (`127.0.0.1:9092`)". */
  broker(ir: IR<N>): string;
  /** Where an event is published: "Topic: `orders`". */
  eventRoute(ir: IR<N>, event: IREvent): string;
  /** Where a consumer reads: "Consumer group: `shop.mailer` on `orders`". */
  consumerRoute(ir: IR<N>, consumer: IRConsumer): string;
  /** Where failed events wait for their retry, a sentence of plain text. */
  retryWhere(consumer: IRConsumer): string;
  /** What its retry stages and dead letters are: "topic", "queue". */
  stageNoun: string;
}

/** Its parts of the AsyncAPI export (src/asyncapi/export.ts): servers, channels, bindings, headers. */
export interface BrokerAsyncApi<N extends BrokerName = BrokerName> {
  /** The default servers, then each named server (under serverKey(name)) marked x-evgen-server. */
  servers(ir: IR<N>, serverKey: (name: string) => string): JsonObject;
  /** What its default servers' keys look like; a named server is kept from looking like one. */
  defaultServerKey: RegExp;
  channels(ir: IR<N>): JsonObject;
  /** The channel an event's send operation names. */
  sendChannel(event: IREvent): string;
  /** The channels a consumer receives on, each with those of its events it reads there. */
  receiveChannels(ir: IR<N>, consumer: IRConsumer, events: IREvent[]): ReadonlyArray<readonly [string, IREvent[]]>;
  receiveBindings(consumer: IRConsumer): JsonObject | undefined;
  messageBindings(event: IREvent, version: IRVersion): JsonObject;
  /** CloudEvents binary mode: the attributes' header prefix, and the headers the broker adds. */
  headerPrefix: string;
  extraHeaders: JsonObject;
  /** The keys of a consumer's retry only this broker reads, as the spec writes them (x-evgen-consumer). */
  retryKeys(retry: IRRetry): JsonObject;
}

/** Where an import problem is, and what it is (a JSON pointer into the AsyncAPI document). */
export type ImportWarn = (path: string, message: string) => void;

/** Where AsyncAPI bindings sit: a broker reads those of its protocol at each. */
export type BindingPlace = "channel" | "operation" | "message";

/**
 * Reads one binding of its protocol: reports what evgen does not read there (ctx.leftover) and
 * what it cannot follow. `node` is the channel, operation or message holding it.
 */
export type BindingReader = (ctx: ImportContext, binding: Obj, where: string, node: Obj) => void;

/** What `evgen import asyncapi` reads for this broker: servers, a consumer's group or queue, settings in bindings (src/asyncapi/import/). */
export interface BrokerAsyncApiImport {
  /** The AsyncAPI protocol its servers and bindings are named by: a server whose protocol starts with it tells the broker. */
  protocol: string;
  /** Whether a server of this protocol can be one of the service's ("kafka-secure"; "amqps"). */
  serves(protocol: string): boolean;
  /** A server's address as the spec writes it (host:port, an AMQP URL), or undefined with a warning. */
  serverAddress(
    server: { protocol: string; host: string; pathname: unknown },
    path: string,
    warn: ImportWarn,
  ): string | undefined;
  /** Before the events are read: what they need from elsewhere (RabbitMQ: the operations' routing keys). */
  beforeEvents(ctx: ImportContext): void;
  /** Its settings the channels' bindings give (Kafka: topic defaults; RabbitMQ: exchange, queue type, prefetch). */
  bindingSettings(ctx: ImportContext): Obj;
  /**
   * The group or queue a receive operation names in its bindings (Kafka: its groupId; RabbitMQ: the
   * queue of its channel), and where; whether the name can be one is `canName`.
   */
  consumerWireName(ctx: ImportContext, operation: Obj, path: string): { name: string; path?: string } | undefined;
  canName(name: string): boolean;
  /** The spec's settings block of its servers: the main addresses, and the named servers' (environments). */
  serverSettings(main: string[], named: ReadonlyMap<string, string[]>, warn: ImportWarn): Record<string, unknown>;
  /**
   * An event's keys of the spec that route it on this broker (Kafka: topic; RabbitMQ: routingKey),
   * from its messages' channels and operations; a key that says no more than the default is left out.
   */
  eventRouting(ctx: ImportContext, type: string, infos: MessageInfo[]): Record<string, string>;
  /** Its bindings, at each place, whatever the service's broker (src/asyncapi/import/bindings.ts). */
  bindings: Record<BindingPlace, BindingReader>;
  /** The group a receive operation's bindings name, which names the consumer when nothing else does. */
  groupNamed?(operation: Obj): string | undefined;
}

export interface BrokerDescriptor<N extends BrokerName = BrokerName> {
  /** Also the key of its settings in the spec and in the generated ServiceDef. */
  name: N;
  /** As prose names it: "Kafka". */
  label: string;
  /**
   * Folders of templates/runtime copied into the project, besides core/ and memory/; a file is
   * copied when its folder is listed (a subfolder is listed on its own).
   */
  runtimeFolders(ir: IR<N>): string[];
  /** npm packages the runtime folders import (pinned at evgen's versions). */
  dependencies(ir: IR<N>): string[];
  /** Its settings in the IR (`ir.settings`), from its block of the spec (src/broker/<broker>/settings.ts). */
  settings(spec: Spec): BrokerSettings[N];
  /** The spec's named servers (EVGEN_SERVER picks one), if it names any. */
  servers(ir: IR<N>): Record<string, unknown> | undefined;
  /** The variable that points the service at its broker. */
  connectionEnv: string;
  /** Its service in the generated docker-compose.yml. */
  composeService: string;
  /** What the broker's names are called in messages, and how long they may be. */
  names: {
    /** A name the consumer needs: "Kafka topic", "RabbitMQ queue". */
    channel: string;
    maxBytes: number;
    /** The spec key naming a consumer's group or queue, and what it names. */
    consumerKey: "groupId" | "queue";
    consumerNoun: string;
  };
  /** The names of a consumer's retry stages (by attempt) and of its replay channel, if any. */
  consumerNames(
    group: string,
    retry: { mode: IRRetry["mode"]; delaysMs: readonly number[] },
    deadLetter: boolean,
  ): { retryQueues: string[]; replayTopic?: string };
  /** Its settings in the generated ServiceDef, held under its name (the runtime's BrokerSettings). */
  serviceSettings(ir: IR<N>): object;
  /** Broker-only fields of an EventDef and a ConsumerDef in the generated ServiceDef. */
  eventDefFields(event: IREvent): { routingKey?: string };
  consumerDefFields(consumer: IRConsumer): Record<string, unknown>;
  /**
   * Keys of the spec only this broker reads, below each event and each consumer (a dot for a key
   * below another): what adapting a spec to another broker drops (evgen init --example).
   */
  ownKeys: { event: string[]; consumer: string[] };
  /**
   * evgen compat, for a spec that stays on this broker: how an event's routing changed in a way
   * that breaks running producers or consumers, one message each.
   */
  routingChanges(before: IREvent, after: IREvent): string[];
  /** Spec rules of this broker: keys only another broker reads (reported, all at once)... */
  checkKeys(ctx: CheckContext): void;
  /** ...what the spec means on it (warnings: settings that would leak, events no one reads)... */
  checkSpec(ctx: CheckContext): void;
  /** ...and names it cannot hold, given the names derived for consumers (name -> consumer). */
  checkNames(ctx: CheckContext, derived: ReadonlyMap<string, string>): void;
  /** What the event catalog (evgen docs, src/docs/catalog.ts) says of this broker, in Markdown. */
  catalog: BrokerCatalog<N>;
  /** Its parts of `evgen export asyncapi`... */
  asyncapi: BrokerAsyncApi<N>;
  /** ...and of `evgen import asyncapi` (zod-free, like the rest of the descriptor: see defaults.ts). */
  asyncapiImport: BrokerAsyncApiImport;
  /** The view fields of templates/<broker>/ and its partials. */
  view(ir: IR<N>): BrokerView;
}
