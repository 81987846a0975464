// AsyncAPI 3.0 (YAML or JSON text) -> evgen.yaml text, best effort. Messages become event
// versions (payload JSON Schemas -> fields), named schemas become `types:`, receive operations
// become consumers. Whatever has no place in evgen.yaml is reported as a warning with its
// AsyncAPI path (a JSON pointer), never dropped silently. The result is checked with validateSpec:
// the caller writes it only when that passes. Pure: no disk, no process.
import { Document, isScalar, parse, visit } from "yaml";
import type { Broker } from "../ir/types.js";
import { BROKER_ADDRESS, CONSUMER_NAME, EVENT_TYPE, FIELD_NAME, KAFKA_TOPIC, PATTERN_FLAGS, SERVICE_NAME, TYPE_NAME } from "../spec/patterns.js";
import type { Issue } from "../spec/issue.js";
import { validateSpec } from "../validate/index.js";
import { FORMAT_NAMES, type FieldObjectSpec, type FieldTypeSpec, type FieldsSpec } from "../spec/schema/field-type.js";

export const MODELINE = "# yaml-language-server: $schema=./node_modules/evgen/schema/evgen.schema.json";

export interface ImportWarning {
  /** JSON pointer into the AsyncAPI document, e.g. #/components/schemas/Order/properties/id. */
  path: string;
  message: string;
}

export interface ImportResult {
  /** The evgen.yaml text, modeline first. */
  text: string;
  warnings: ImportWarning[];
  /** validateSpec's verdict on `text`: errors mean it must not be written. */
  issues: Issue[];
  ok: boolean;
}

/** The input is not an AsyncAPI 3 document at all: nothing to import. */
export class AsyncApiImportError extends Error {}

export interface ImportOptions {
  broker?: Broker;
  /** Name of the AsyncAPI file, for the header comment. */
  sourceName?: string;
  /** Name of the spec, as validation issues should name it. */
  specFile?: string;
}

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (value: Json): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value);
const pointer = (base: string, ...segments: Array<string | number>) =>
  [base, ...segments.map((s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1"))].join("/");
const unescape = (segment: string) => decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");

const CLOUDEVENTS_HEADER = /^(ce_|cloudEvents_)(id|type|source|specversion|time|dataversion|subject|datacontenttype|dataschema)$/;
const KNOWN_HEADERS = new Set(["content-type", "traceparent", "tracestate"]);
/** JSON Schema `format` -> evgen's format (and shorthand) name. */
const FORMATS: Record<string, string> = FORMAT_NAMES;
const SHORTHAND_FORMATS = new Set<string>(Object.values(FORMAT_NAMES));
const CONSUMER_DEFAULTS: Record<string, unknown> = { concurrency: 1, timeout: "30s", deadLetter: true, idempotency: "memory" };
const RETRY_DEFAULTS: Record<string, unknown> = { attempts: 4, delay: "1s", backoff: "exponential", maxDelay: "5m", mode: "non-blocking" };
/** Field object keys in the order people write them. */
const KEY_ORDER = ["type", "$ref", "enum", "const", "oneOf", "anyOf", "format", "properties", "required", "items", "minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems", "default", "description"];
/** Any JSON value, for a schema that accepts everything ({} or true). */
const ANY: FieldObjectSpec = {
  anyOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }, { type: "object" }, { type: "array" }, { type: "null" }],
};

interface MessageInfo {
  pointer: string;
  message: Obj;
  /** Channels holding it: [channel pointer, address]. */
  channels: Array<[string, string | undefined]>;
  type?: string;
  version?: number;
}

export function importAsyncApi(text: string, options: ImportOptions = {}): ImportResult {
  let root: Json;
  try {
    root = parse(text);
  } catch (error) {
    throw new AsyncApiImportError(`not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (!isObj(root) || typeof root.asyncapi !== "string") {
    throw new AsyncApiImportError("not an AsyncAPI document: the 'asyncapi' field is missing");
  }
  if (!root.asyncapi.startsWith("3.")) {
    throw new AsyncApiImportError(
      `AsyncAPI ${root.asyncapi} is not supported: only 3.x (convert a 2.x document first, e.g. with \`asyncapi convert\`)`,
    );
  }
  return new Importer(root, options).run();
}

class Importer {
  private readonly warnings: ImportWarning[] = [];
  private readonly visited = new Set<string>();
  private readonly messages = new Map<string, MessageInfo>();
  /** Component schema pointer -> named type, for schemas referenced as field types. */
  private readonly typeNames = new Map<string, string>();
  private readonly types = new Map<string, FieldsSpec>();
  private readonly payloadRoots = new Set<string>();
  private service = "service";
  private broker: Broker = "kafka";

  constructor(
    private readonly root: Obj,
    private readonly options: ImportOptions,
  ) {}

  private warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  /** Warns about every key of `node` not in `known` (x-evgen-* extensions are always known). */
  private leftover(node: Obj, path: string, known: string[], what = "not imported: evgen.yaml has no place for it"): void {
    for (const key of Object.keys(node)) {
      if (!known.includes(key) && !key.startsWith("x-evgen-")) this.warn(pointer(path, key), what);
    }
  }

  /** Follows local $refs; `path` is where the node was found. Undefined (with a warning) when it cannot be resolved. */
  private deref(node: Json, path: string): { node: Json; path: string } | undefined {
    const seen = new Set<string>();
    while (isObj(node) && typeof node.$ref === "string") {
      const target = node.$ref;
      if (!target.startsWith("#/") && target !== "#") {
        this.warn(path, `external $ref ${target} is not followed: only references inside the document are`);
        return undefined;
      }
      if (seen.has(target)) {
        this.warn(path, `$ref ${target} refers to itself`);
        return undefined;
      }
      seen.add(target);
      let value: Json = this.root;
      for (const segment of target.slice(2).split("/").filter((s, i, all) => !(s === "" && all.length === 1))) {
        value = isObj(value) ? value[unescape(segment)] : Array.isArray(value) ? value[Number(segment)] : undefined;
      }
      if (value === undefined) {
        this.warn(path, `$ref ${target} does not resolve`);
        return undefined;
      }
      this.visited.add(target);
      node = value;
      path = target;
    }
    return { node, path };
  }

  run(): ImportResult {
    const root = this.root;
    this.leftover(root, "#", ["asyncapi", "info", "servers", "defaultContentType", "channels", "operations", "components", "id"]);
    if (root.id !== undefined) this.warn("#/id", "not imported: evgen.yaml has no place for it");
    if (root.defaultContentType !== undefined && root.defaultContentType !== "application/json") {
      this.warn("#/defaultContentType", "evgen events are application/json");
    }
    const info = isObj(root.info) ? root.info : {};
    this.leftover(info, "#/info", ["title", "version", "description", "x-evgen-source"]);
    this.service = this.serviceName(info.title);
    this.broker = this.options.broker ?? this.detectBroker();

    const spec: Obj = { evgen: 1, service: this.service };
    if (typeof info.description === "string") spec.description = info.description;
    spec.broker = this.broker;
    Object.assign(spec, this.servers());

    this.collectMessages();
    const events = this.events();
    const consumers = this.consumers(new Set(Object.keys(events)));
    const topicDefaults = this.topicDefaults();
    if (topicDefaults && this.broker === "kafka") {
      spec.kafka = { ...(isObj(spec.kafka) ? spec.kafka : {}), topicDefaults };
    }
    const exchange = this.exchange();
    if (exchange && this.broker === "rabbitmq") spec.rabbitmq = { ...(isObj(spec.rabbitmq) ? spec.rabbitmq : {}), exchange };
    this.unusedComponents();

    if (this.types.size > 0) spec.types = Object.fromEntries([...this.types].sort(([a], [b]) => (a < b ? -1 : 1)));
    spec.events = events;
    if (Object.keys(consumers).length > 0) spec.consumers = consumers;

    const text = renderSpec(spec, this.options.sourceName);
    const validated = validateSpec(text, this.options.specFile ?? "evgen.yaml");
    return {
      text,
      warnings: this.warnings,
      ok: validated.ok,
      issues: validated.ok ? validated.warnings : validated.issues,
    };
  }

  private serviceName(title: Json): string {
    const raw = typeof title === "string" ? title : "";
    const slug = raw
      .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^[^a-z]+|-+$/g, "")
      .slice(0, 214)
      .replace(/-+$/, "");
    if (SERVICE_NAME.test(slug)) {
      if (slug !== raw) this.warn("#/info/title", `imported as service '${slug}' (service names are [a-z][a-z0-9-]*)`);
      return slug;
    }
    this.warn("#/info/title", `no usable service name in the title: imported as 'service'`);
    return "service";
  }

  private serverEntries(): Array<[string, Obj]> {
    const servers = this.root.servers;
    if (!isObj(servers)) return [];
    return Object.entries(servers).flatMap(([name, value]) => {
      const resolved = this.deref(value, pointer("#/servers", name));
      return resolved && isObj(resolved.node) ? [[resolved.path, resolved.node] as [string, Obj]] : [];
    });
  }

  private detectBroker(): Broker {
    const protocols = this.serverEntries().map(([, server]) => String(server.protocol ?? ""));
    if (protocols.some((p) => p.startsWith("kafka"))) return "kafka";
    if (protocols.some((p) => p.startsWith("amqp"))) return "rabbitmq";
    const text = JSON.stringify(this.root.channels ?? {});
    if (text.includes('"amqp"')) return "rabbitmq";
    this.warn("#/servers", "no kafka or amqp server tells the broker: imported for kafka (pass --broker to choose)");
    return "kafka";
  }

  private servers(): Obj {
    const brokers: string[] = [];
    let url: string | undefined;
    for (const [path, server] of this.serverEntries()) {
      this.leftover(server, path, ["host", "protocol", "pathname"]);
      const protocol = String(server.protocol ?? "");
      const host = typeof server.host === "string" ? server.host : "";
      const isKafka = protocol.startsWith("kafka");
      const isAmqp = protocol === "amqp" || protocol === "amqps";
      if ((this.broker === "kafka" && !isKafka) || (this.broker === "rabbitmq" && !isAmqp)) {
        this.warn(path, `a ${protocol || "server"} server is not used by a ${this.broker} service`);
        continue;
      }
      if (isKafka) {
        if (BROKER_ADDRESS.test(host)) brokers.push(host);
        else this.warn(pointer(path, "host"), `'${host}' is not a host:port address`);
        if (server.pathname !== undefined) this.warn(pointer(path, "pathname"), "Kafka servers have no path");
        continue;
      }
      if (url !== undefined) {
        this.warn(path, "only the first RabbitMQ server is imported");
        continue;
      }
      const pathname = typeof server.pathname === "string" ? server.pathname : "";
      const candidate = `${protocol}://${host}${pathname && !pathname.startsWith("/") ? "/" : ""}${pathname}`;
      try {
        new URL(candidate);
        url = candidate;
      } catch {
        this.warn(path, `'${candidate}' is not a valid AMQP URL`);
      }
    }
    if (this.broker === "kafka" && brokers.length > 0) return { kafka: { brokers } };
    if (this.broker === "rabbitmq" && url !== undefined) return { rabbitmq: { url } };
    return {};
  }

  private channelEntries(): Array<{ id: string; path: string; channel: Obj }> {
    const channels = this.root.channels;
    if (!isObj(channels)) return [];
    return Object.entries(channels).flatMap(([id, value]) => {
      const resolved = this.deref(value, pointer("#/channels", id));
      return resolved && isObj(resolved.node) ? [{ id, path: resolved.path, channel: resolved.node }] : [];
    });
  }

  /** Every message: those of the channels, then components/messages no channel lists. */
  private collectMessages(): void {
    for (const { path, channel } of this.channelEntries()) {
      this.leftover(channel, path, ["address", "messages", "bindings"]);
      const address = typeof channel.address === "string" ? channel.address : undefined;
      if (address?.includes("{")) this.warn(pointer(path, "address"), "channel parameters are not imported");
      this.channelBindings(channel, path);
      if (!isObj(channel.messages)) continue;
      for (const [key, value] of Object.entries(channel.messages)) {
        const resolved = this.deref(value, pointer(path, "messages", key));
        if (!resolved || !isObj(resolved.node)) continue;
        const info = this.messages.get(resolved.path) ?? { pointer: resolved.path, message: resolved.node, channels: [] };
        info.channels.push([path, address]);
        this.messages.set(resolved.path, info);
      }
    }
    const components = isObj(this.root.components) ? this.root.components : {};
    if (isObj(components.messages)) {
      for (const [key, value] of Object.entries(components.messages)) {
        const path = pointer("#/components/messages", key);
        if (this.messages.has(path)) continue;
        const resolved = this.deref(value, path);
        if (!resolved || !isObj(resolved.node) || this.messages.has(resolved.path)) continue;
        this.messages.set(resolved.path, { pointer: resolved.path, message: resolved.node, channels: [] });
      }
    }
  }

  private channelBindings(channel: Obj, path: string): void {
    if (!isObj(channel.bindings)) return;
    for (const [protocol, binding] of Object.entries(channel.bindings)) {
      const where = pointer(path, "bindings", protocol);
      if (!isObj(binding)) continue;
      if (protocol === "kafka") this.leftover(binding, where, ["topic", "partitions", "replicas", "bindingVersion"]);
      else if (protocol === "amqp") {
        this.leftover(binding, where, ["is", "exchange", "queue", "bindingVersion"]);
        if (isObj(binding.exchange)) {
          this.leftover(binding.exchange, pointer(where, "exchange"), ["name", "type", "durable", "autoDelete", "vhost"]);
          if (binding.exchange.type !== undefined && binding.exchange.type !== "topic") {
            this.warn(pointer(where, "exchange", "type"), "evgen publishes to a topic exchange");
          }
        }
        if (isObj(binding.queue)) {
          this.leftover(binding.queue, pointer(where, "queue"), ["name", "durable", "exclusive", "autoDelete", "vhost"]);
        }
      } else this.warn(where, `${protocol} bindings are not imported`);
    }
  }

  private topicDefaults(): Obj | undefined {
    const found = new Map<string, { partitions?: number; replicationFactor?: number }>();
    for (const { path, channel } of this.channelEntries()) {
      const binding = isObj(channel.bindings) && isObj(channel.bindings.kafka) ? channel.bindings.kafka : undefined;
      if (!binding) continue;
      const partitions = typeof binding.partitions === "number" ? binding.partitions : undefined;
      const replicationFactor = typeof binding.replicas === "number" ? binding.replicas : undefined;
      if (partitions !== undefined || replicationFactor !== undefined) found.set(path, { partitions, replicationFactor });
    }
    const distinct = [...new Set([...found.values()].map((v) => JSON.stringify(v)))];
    if (distinct.length === 0) return undefined;
    if (distinct.length > 1) {
      for (const path of [...found.keys()].slice(1)) {
        this.warn(pointer(path, "bindings", "kafka"), "topics differ in partitions or replicas: evgen has one setting for all; the first channel's is imported");
      }
    }
    const first = JSON.parse(distinct[0]!) as Obj;
    const kept = Object.entries(first).filter(([k, v]) => v !== undefined && v !== (k === "partitions" ? 3 : 1));
    return kept.length === 0 ? undefined : Object.fromEntries(kept);
  }

  private exchange(): string | undefined {
    const names = new Map<string, string>();
    for (const { path, channel } of this.channelEntries()) {
      const binding = isObj(channel.bindings) && isObj(channel.bindings.amqp) ? channel.bindings.amqp : undefined;
      const name = binding && isObj(binding.exchange) ? binding.exchange.name : undefined;
      if (typeof name === "string" && name !== "") names.set(path, name);
    }
    const distinct = [...new Set(names.values())];
    if (distinct.length > 1) {
      this.warn("#/channels", `several exchanges (${distinct.join(", ")}): evgen uses one; '${distinct[0]}' is imported`);
    }
    const exchange = distinct[0];
    return exchange === undefined || exchange === `${this.service}.events` ? undefined : exchange;
  }

  // ---- events ----

  private events(): Record<string, Obj> {
    const byType = new Map<string, Array<{ info: MessageInfo; version: number; fields: FieldsSpec }>>();
    for (const info of this.messages.values()) {
      const identity = this.messageIdentity(info);
      if (!identity) continue;
      const { type, version } = identity;
      const list = byType.get(type) ?? [];
      if (list.some((entry) => entry.version === version)) {
        this.warn(info.pointer, `a second message for ${type} version ${version}: not imported`);
        continue;
      }
      info.type = type;
      info.version = version;
      list.push({ info, version, fields: this.messageFields(info) });
      byType.set(type, list);
    }
    const events: Record<string, Obj> = {};
    for (const [type, list] of [...byType].sort(([a], [b]) => (a < b ? -1 : 1))) {
      list.sort((a, b) => a.version - b.version);
      const event: Obj = {};
      const description = this.eventDescription(list.map((entry) => entry.info));
      if (description !== undefined) event.description = description;
      const key = this.eventKey(type, list);
      if (key !== undefined) event.key = key;
      const topic = this.broker === "kafka" ? this.eventTopic(type, list.map((entry) => entry.info)) : undefined;
      if (topic !== undefined) event.topic = topic;
      if (list.length === 1 && list[0]!.version === 1) event.schema = list[0]!.fields;
      // A Map keeps the version keys numbers, so they print as `1:` rather than `"1":`.
      else event.versions = new Map(list.map((entry) => [entry.version, entry.fields]));
      events[type] = event;
    }
    if (Object.keys(events).length === 0) this.warn("#/components/messages", "no message could be imported as an event");
    return events;
  }

  /** Event type and version: x-evgen-* extensions, else the CloudEvents headers, else the message's name. */
  private messageIdentity(info: MessageInfo): { type: string; version: number } | undefined {
    const { message, pointer: path } = info;
    const headers = this.headerConsts(message, path);
    let version =
      typeof message["x-evgen-version"] === "number"
        ? message["x-evgen-version"]
        : headers.dataversion !== undefined && /^[1-9][0-9]*$/.test(headers.dataversion)
          ? Number(headers.dataversion)
          : undefined;
    const explicit = typeof message["x-evgen-event"] === "string" ? message["x-evgen-event"] : headers.type;
    let name = explicit ?? (typeof message.name === "string" ? message.name : path.split("/").at(-1)!);
    if (explicit === undefined) {
      const suffix = /^(.+?)[._-]?[vV](\d+)$/.exec(name);
      if (suffix) {
        name = suffix[1]!;
        version ??= Number(suffix[2]);
      }
    }
    const type = this.eventType(name);
    if (!type) {
      this.warn(path, `no event type can be made of '${name}' (2+ dot-separated segments of [a-z][a-z0-9-]*): not imported`);
      return undefined;
    }
    if (type !== name) this.warn(path, `imported as event type '${type}'`);
    if (!Number.isInteger(version) || (version ?? 1) < 1) version = 1;
    return { type, version: version ?? 1 };
  }

  private eventType(name: string): string | undefined {
    if (EVENT_TYPE.test(name)) return name;
    const segments = name
      .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
      .toLowerCase()
      .split(/[./:]+/)
      .map((s) => s.replace(/[^a-z0-9]+/g, "-").replace(/^[^a-z]+|-+$/g, ""))
      .filter(Boolean);
    const type = (segments.length === 1 ? [this.service, ...segments] : segments).join(".");
    return EVENT_TYPE.test(type) ? type : undefined;
  }

  /** The CloudEvents attributes a message's headers fix with `const` (or a one-value enum). */
  private headerConsts(message: Obj, path: string): { type?: string; dataversion?: string } {
    const result: { type?: string; dataversion?: string } = {};
    const resolved = message.headers === undefined ? undefined : this.deref(message.headers, pointer(path, "headers"));
    if (!resolved || !isObj(resolved.node)) return result;
    const properties = isObj(resolved.node.properties) ? resolved.node.properties : {};
    for (const [name, schema] of Object.entries(properties)) {
      const match = CLOUDEVENTS_HEADER.exec(name);
      if (!match && !KNOWN_HEADERS.has(name.toLowerCase())) {
        this.warn(pointer(resolved.path, "properties", name), "custom headers are not imported: evgen events carry the CloudEvents headers");
        continue;
      }
      if (!match || !isObj(schema)) continue;
      const value = schema.const ?? (Array.isArray(schema.enum) && schema.enum.length === 1 ? schema.enum[0] : undefined);
      if (typeof value !== "string") continue;
      if (match[2] === "type") result.type = value;
      if (match[2] === "dataversion") result.dataversion = value;
    }
    return result;
  }

  private messageFields(info: MessageInfo): FieldsSpec {
    const { message, pointer: path } = info;
    this.leftover(message, path, ["name", "title", "summary", "description", "contentType", "headers", "payload", "bindings"]);
    if (message.contentType !== undefined && message.contentType !== "application/json") {
      this.warn(pointer(path, "contentType"), "evgen events are application/json");
    }
    if (typeof message.title === "string" && message.title !== `${info.type} v${info.version}`) {
      this.warn(pointer(path, "title"), "not imported: evgen.yaml has no place for it");
    }
    if (typeof message.summary === "string" && typeof message.description === "string" && message.summary !== message.description) {
      this.warn(pointer(path, "summary"), "not imported: the description is");
    }
    this.messageBindings(message, path);
    if (message.payload === undefined) {
      this.warn(path, "no payload: imported with no fields");
      return {};
    }
    let payload: Json = message.payload;
    let payloadPath = pointer(path, "payload");
    if (isObj(payload) && payload.schema !== undefined && payload.$ref === undefined) {
      const format = String(payload.schemaFormat ?? "");
      if (format !== "" && !/json|asyncapi/i.test(format)) {
        this.warn(payloadPath, `payload in ${format} is not imported: only JSON Schema is`);
        return {};
      }
      payload = payload.schema;
      payloadPath = pointer(payloadPath, "schema");
    }
    return this.objectFields(payload, payloadPath, true);
  }

  private messageBindings(message: Obj, path: string): void {
    if (!isObj(message.bindings)) return;
    for (const [protocol, binding] of Object.entries(message.bindings)) {
      const where = pointer(path, "bindings", protocol);
      if (!isObj(binding)) continue;
      if (protocol === "kafka") {
        this.leftover(binding, where, ["key", "bindingVersion"]);
        if (binding.key !== undefined && typeof message["x-evgen-key"] !== "string") {
          this.warn(pointer(where, "key"), "the key schema does not name a payload field: set the event's key in evgen.yaml");
        }
      } else if (protocol === "amqp") this.leftover(binding, where, ["contentEncoding", "messageType", "bindingVersion"]);
      else this.warn(where, `${protocol} bindings are not imported`);
    }
  }

  private eventDescription(infos: MessageInfo[]): string | undefined {
    const texts = infos.map(({ message }) =>
      typeof message.description === "string" ? message.description : typeof message.summary === "string" ? message.summary : undefined,
    );
    const chosen = texts.filter((t) => t !== undefined).at(-1);
    infos.forEach((info, i) => {
      if (texts[i] !== undefined && texts[i] !== chosen) {
        this.warn(pointer(info.pointer, "description"), "versions differ in description: the latest version's is imported");
      }
    });
    return chosen;
  }

  /** The key: x-evgen-key, kept only when it names a required string/number field of every version. */
  private eventKey(type: string, list: Array<{ info: MessageInfo; fields: FieldsSpec }>): string | undefined {
    const keys = [...new Set(list.map((e) => e.info.message["x-evgen-key"]).filter((k) => typeof k === "string"))] as string[];
    if (keys.length === 0) return undefined;
    const key = keys.at(-1)!;
    const usable = list.every(({ fields }) => {
      const field = fields[key];
      const scalar = (t: FieldTypeSpec | undefined): boolean =>
        typeof t === "string"
          ? ["string", "number", "integer", "uuid", "email", "url", "datetime", "date"].includes(t)
          : t !== undefined && !Array.isArray(t.type) && ["string", "number", "integer"].includes(String(t.type));
      return scalar(field);
    });
    if (!usable || keys.length > 1) {
      this.warn(pointer(list.at(-1)!.info.pointer, "x-evgen-key"), `key '${key}' of ${type} is not a required string or number field of every version: not imported`);
      return undefined;
    }
    return key;
  }

  private eventTopic(type: string, infos: MessageInfo[]): string | undefined {
    const addresses = [
      ...new Set(
        infos.flatMap((info) =>
          info.channels.map(([path, address]) => {
            const binding = this.kafkaTopicBinding(path);
            return binding ?? address;
          }),
        ),
      ),
    ].filter((a): a is string => a !== undefined);
    if (addresses.length === 0) return undefined;
    if (addresses.length > 1) {
      this.warn(infos[0]!.pointer, `${type} is on several channels (${addresses.join(", ")}): evgen publishes an event to one topic; '${addresses[0]}' is imported`);
    }
    const topic = addresses[0]!;
    if (!KAFKA_TOPIC.test(topic)) {
      this.warn(infos[0]!.channels[0]![0], `'${topic}' is not a Kafka topic name: the event keeps its default topic`);
      return undefined;
    }
    return topic === type ? undefined : topic;
  }

  private kafkaTopicBinding(channelPath: string): string | undefined {
    const resolved = this.deref({ $ref: channelPath }, channelPath);
    const channel = resolved && isObj(resolved.node) ? resolved.node : {};
    const binding = isObj(channel.bindings) && isObj(channel.bindings.kafka) ? channel.bindings.kafka : undefined;
    return binding && typeof binding.topic === "string" ? binding.topic : undefined;
  }

  // ---- schemas ----

  /** A payload or named type: an object schema -> fields map. */
  private objectFields(node: Json, path: string, payload: boolean): FieldsSpec {
    const resolved = this.deref(node, path);
    if (!resolved) return {};
    if (payload && resolved.path !== path) this.payloadRoots.add(resolved.path);
    let schema = resolved.node;
    path = resolved.path;
    if (isObj(schema) && Array.isArray(schema.allOf) && schema.allOf.length === 1 && schema.properties === undefined) {
      const { allOf, ...rest } = schema;
      return { ...this.objectFields(allOf[0], pointer(path, "allOf", 0), false), ...this.objectFields({ type: "object", ...rest }, path, false) };
    }
    if (!isObj(schema) || (schema.type !== "object" && schema.properties === undefined)) {
      this.warn(path, "not an object schema: imported with no fields");
      return {};
    }
    this.leftover(schema, path, ["type", "properties", "required", "additionalProperties", "description"]);
    if (schema.description !== undefined && payload) {
      this.warn(pointer(path, "description"), "not imported: a payload has no description in evgen.yaml (the message's is imported)");
    }
    if (schema.description !== undefined && !payload) {
      this.warn(pointer(path, "description"), "not imported: named types have no description in evgen.yaml");
    }
    this.additionalProperties(schema, path);
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    const fields: FieldsSpec = {};
    for (const [name, value] of Object.entries(isObj(schema.properties) ? schema.properties : {})) {
      const where = pointer(path, "properties", name);
      if (!FIELD_NAME.test(name)) {
        this.warn(where, `field '${name}' is not imported: field names are [A-Za-z_][A-Za-z0-9_]*`);
        continue;
      }
      const type = this.fieldType(value, where, []);
      if (type !== undefined) fields[required.has(name) ? name : `${name}?`] = type;
    }
    for (const name of required) {
      if (!isObj(schema.properties) || !(name in schema.properties)) {
        this.warn(pointer(path, "required"), `'${name}' is required but not a property: not imported`);
      }
    }
    return fields;
  }

  private additionalProperties(schema: Obj, path: string): void {
    if (schema.additionalProperties !== undefined && schema.additionalProperties !== true && !(isObj(schema.additionalProperties) && Object.keys(schema.additionalProperties).length === 0)) {
      this.warn(pointer(path, "additionalProperties"), "not imported: evgen objects are open (unknown fields are accepted)");
    }
  }

  /** The name of the named type a component schema becomes (PascalCase, unique). */
  private typeNameFor(schemaPath: string): string {
    const existing = this.typeNames.get(schemaPath);
    if (existing) return existing;
    const raw = unescape(schemaPath.split("/").at(-1)!);
    let name = raw
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((part) => part[0]!.toUpperCase() + part.slice(1))
      .join("")
      .replace(/^[0-9]+/, "");
    if (!TYPE_NAME.test(name)) name = "Type";
    const taken = new Set(this.typeNames.values());
    let unique = name;
    for (let i = 2; taken.has(unique); i++) unique = `${name}${i}`;
    if (unique !== raw) this.warn(schemaPath, `imported as type '${unique}' (type names are PascalCase)`);
    this.typeNames.set(schemaPath, unique);
    return unique;
  }

  private isObjectSchema(node: Json): boolean {
    return isObj(node) && (node.type === "object" || (node.type === undefined && isObj(node.properties))) && node.$ref === undefined;
  }

  /** A JSON Schema -> an evgen field type (shorthand where it says the same), or undefined when nothing can be imported. */
  private fieldType(node: Json, path: string, stack: string[]): FieldTypeSpec | undefined {
    if (node === true) return ANY;
    if (node === false) {
      this.warn(path, "a schema that accepts nothing is not imported");
      return undefined;
    }
    if (!isObj(node)) {
      this.warn(path, "not a schema: not imported");
      return undefined;
    }
    if (typeof node.$ref === "string") return this.refType(node, path, stack);
    return simplify(this.schemaObject(node, path, stack));
  }

  private refType(node: Obj, path: string, stack: string[]): FieldTypeSpec | undefined {
    const resolved = this.deref({ $ref: node.$ref }, path);
    if (!resolved) return ANY;
    const { $ref: _ref, description, default: fallback, ...rest } = node;
    this.leftover(rest, path, []);
    const annotations = {
      ...(typeof description === "string" ? { description } : {}),
      ...(fallback !== undefined ? { default: fallback as FieldObjectSpec["default"] } : {}),
    };
    if (/^#\/components\/schemas\/[^/]+$/.test(resolved.path) && this.isObjectSchema(resolved.node)) {
      const name = this.typeNameFor(resolved.path);
      if (!this.types.has(name)) {
        this.types.set(name, {}); // placeholder: a type that refers to itself terminates
        this.types.set(name, this.objectFields(resolved.node, resolved.path, false));
      }
      return Object.keys(annotations).length > 0 ? { $ref: name, ...annotations } : name;
    }
    if (stack.includes(resolved.path)) {
      this.warn(path, `recursive schema ${resolved.path} is not imported: evgen types cannot refer to themselves`);
      return ANY;
    }
    const inner = this.fieldType(resolved.node, resolved.path, [...stack, resolved.path]);
    if (inner === undefined) return undefined;
    const object: FieldObjectSpec = typeof inner === "string" ? shorthandObject(inner) : inner;
    return simplify({ ...object, ...annotations });
  }

  private schemaObject(node: Obj, path: string, stack: string[]): FieldObjectSpec {
    const out: FieldObjectSpec = {};
    const used = new Set(["description", "default"]);
    if (typeof node.description === "string") out.description = node.description;
    if (node.default !== undefined) out.default = node.default as FieldObjectSpec["default"];

    let types = (Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type]).map(String);
    used.add("type");
    if (node.nullable === true) {
      used.add("nullable");
      if (!types.includes("null")) types = [...types, "null"];
    }
    const nullable = types.includes("null");

    if (Array.isArray(node.enum)) {
      used.add("enum");
      const scalars = node.enum.filter((v) => v === null || ["string", "number", "boolean"].includes(typeof v));
      if (scalars.length < node.enum.length) this.warn(pointer(path, "enum"), "enum values that are objects or lists are not imported");
      const values = nullable && !scalars.includes(null) ? [...scalars, null] : scalars;
      if (values.length > 0) {
        out.enum = [...new Set(values)] as FieldObjectSpec["enum"];
        this.leftover(node, path, [...used]);
        return out;
      }
    }
    if (node.const !== undefined) {
      used.add("const");
      out.const = node.const as FieldObjectSpec["const"];
      this.leftover(node, path, [...used]);
      return out;
    }
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const options = node[keyword];
      if (!Array.isArray(options) || out.oneOf || out.anyOf) continue;
      used.add(keyword);
      const mapped = options
        .map((option, i) => this.fieldType(option, pointer(path, keyword, i), stack))
        .filter((t): t is FieldTypeSpec => t !== undefined);
      if (nullable && !mapped.some((t) => typeof t === "object" && t.type === "null")) mapped.push({ type: "null" });
      if (mapped.length > 0) out[keyword] = mapped;
    }
    if (Array.isArray(node.oneOf) && Array.isArray(node.anyOf)) this.warn(pointer(path, "anyOf"), "only oneOf is imported when both are given");
    if (out.oneOf || out.anyOf) {
      this.leftover(node, path, [...used]);
      return out;
    }
    if (Array.isArray(node.allOf)) {
      used.add("allOf");
      if (node.allOf.length === 1 && Object.keys(node).every((k) => ["allOf", "description", "default"].includes(k))) {
        const inner = this.fieldType(node.allOf[0], pointer(path, "allOf", 0), stack);
        return inner === undefined ? out : { ...(typeof inner === "string" ? shorthandObject(inner) : inner), ...out };
      }
      this.warn(pointer(path, "allOf"), "allOf is not imported: evgen has no intersection types");
    }

    if (types.length === 0) {
      if (isObj(node.properties)) types = ["object"];
      else if (node.items !== undefined) types = ["array"];
      else if (node.format !== undefined || node.pattern !== undefined || node.minLength !== undefined || node.maxLength !== undefined) types = ["string"];
      else if (node.minimum !== undefined || node.maximum !== undefined) types = ["number"];
    }
    const base = types.filter((t) => t !== "null");
    if (base.length === 0 && types.length === 0) {
      this.leftover(node, path, [...used]);
      return { ...ANY, ...out };
    }
    if (base.length > 1) {
      this.warn(pointer(path, "type"), "several types: imported as a union of the plain types (their keywords are not imported)");
      out.anyOf = [...base.map((t) => ({ type: t }) as FieldObjectSpec), ...(nullable ? [{ type: "null" } as FieldObjectSpec] : [])];
      this.leftover(node, path, [...used, ...Object.keys(node)]);
      return out;
    }
    const kind = base[0] ?? "null";
    if (!["string", "number", "integer", "boolean", "object", "array", "null"].includes(kind)) {
      this.warn(pointer(path, "type"), `unknown type '${kind}': imported as any value`);
      this.leftover(node, path, [...used]);
      return { ...ANY, ...out };
    }
    out.type = (nullable && kind !== "null" ? [kind, "null"] : kind) as FieldObjectSpec["type"];
    if (kind === "string") {
      for (const key of ["minLength", "maxLength"] as const) {
        if (typeof node[key] === "number") {
          out[key] = node[key];
          used.add(key);
        }
      }
      if (typeof node.format === "string") {
        used.add("format");
        const format = FORMATS[node.format];
        if (format) out.format = format as FieldObjectSpec["format"];
        else this.warn(pointer(path, "format"), `format '${node.format}' is not imported: evgen knows uuid, email, uri, date-time and date`);
      }
      if (typeof node.pattern === "string") {
        used.add("pattern");
        try {
          new RegExp(node.pattern, PATTERN_FLAGS);
          out.pattern = node.pattern;
        } catch {
          this.warn(pointer(path, "pattern"), "not a valid JavaScript regular expression: not imported");
        }
      }
    } else if (kind === "number" || kind === "integer") {
      for (const key of ["minimum", "maximum"] as const) {
        if (typeof node[key] === "number") {
          out[key] = node[key];
          used.add(key);
        }
      }
    } else if (kind === "array") {
      for (const key of ["minItems", "maxItems"] as const) {
        if (typeof node[key] === "number") {
          out[key] = node[key];
          used.add(key);
        }
      }
      if (node.items !== undefined) {
        used.add("items");
        if (Array.isArray(node.items)) this.warn(pointer(path, "items"), "tuple items are not imported: a list of any value is");
        else {
          const items = this.fieldType(node.items, pointer(path, "items"), stack);
          if (items !== undefined) out.items = items;
        }
      }
    } else if (kind === "object") {
      used.add("properties").add("required").add("additionalProperties");
      this.additionalProperties(node, path);
      if (isObj(node.properties)) {
        const properties: Record<string, FieldTypeSpec> = {};
        for (const [name, value] of Object.entries(node.properties)) {
          const where = pointer(path, "properties", name);
          if (!FIELD_NAME.test(name)) {
            this.warn(where, `property '${name}' is not imported: names are [A-Za-z_][A-Za-z0-9_]*`);
            continue;
          }
          const type = this.fieldType(value, where, stack);
          if (type !== undefined) properties[name] = type;
        }
        if (Object.keys(properties).length > 0) out.properties = properties;
        const required = (Array.isArray(node.required) ? node.required.map(String) : []).filter((name) => name in properties);
        if (required.length > 0) out.required = required;
      }
    }
    this.leftover(node, path, [...used], "not imported: evgen field types have no such keyword (or it does not apply to this type)");
    return out;
  }

  // ---- consumers ----

  private consumers(eventTypes: Set<string>): Record<string, Obj> {
    const operations = isObj(this.root.operations) ? this.root.operations : {};
    const consumers = new Map<string, Obj>();
    for (const [id, value] of Object.entries(operations)) {
      const resolved = this.deref(value, pointer("#/operations", id));
      if (!resolved || !isObj(resolved.node)) continue;
      const { node: operation, path } = resolved;
      if (operation.action === "send") {
        this.leftover(operation, path, ["action", "channel", "messages"]);
        continue;
      }
      if (operation.action !== "receive") {
        this.warn(pointer(path, "action"), "an operation is send or receive: not imported");
        continue;
      }
      this.leftover(operation, path, ["action", "channel", "messages", "description", "bindings", "reply"]);
      const extension = isObj(operation["x-evgen-consumer"]) ? operation["x-evgen-consumer"] : {};
      const name = this.consumerName(id, operation, extension, path);
      if (!name) continue;
      const on = this.operationEvents(operation, path).filter((type) => eventTypes.has(type));
      if (on.length === 0) {
        this.warn(path, "no event of this receive operation was imported: no consumer made of it");
        continue;
      }
      const emits = [
        ...(Array.isArray(extension.emits) ? extension.emits.map(String) : []),
        ...this.replyEvents(operation, path),
      ].filter((type) => {
        if (eventTypes.has(type)) return true;
        this.warn(path, `emits '${type}', which is not an imported event`);
        return false;
      });
      const consumer = consumers.get(name) ?? {};
      const description = typeof extension.description === "string" ? extension.description : operation.description;
      if (typeof description === "string") consumer.description = description;
      consumer.on = [...new Set([...((consumer.on as string[] | undefined) ?? []), ...on])].sort();
      if (emits.length > 0 || consumer.emits) {
        consumer.emits = [...new Set([...((consumer.emits as string[] | undefined) ?? []), ...emits])].sort();
      }
      this.consumerPolicy(consumer, extension, pointer(path, "x-evgen-consumer"));
      consumers.set(name, consumer);
      if (isObj(operation.bindings)) {
        for (const [protocol, binding] of Object.entries(operation.bindings)) {
          const where = pointer(path, "bindings", protocol);
          if (protocol === "kafka" && isObj(binding)) this.leftover(binding, where, ["groupId", "bindingVersion"]);
          else this.warn(where, `${protocol} operation bindings are not imported`);
        }
      }
    }
    return Object.fromEntries([...consumers].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  private consumerName(id: string, operation: Obj, extension: Obj, path: string): string | undefined {
    if (typeof extension.name === "string" && CONSUMER_NAME.test(extension.name)) return extension.name;
    const bindings = isObj(operation.bindings) ? operation.bindings : {};
    const groupId = isObj(bindings.kafka) && isObj(bindings.kafka.groupId) ? bindings.kafka.groupId : undefined;
    const group = groupId && Array.isArray(groupId.enum) && typeof groupId.enum[0] === "string" ? groupId.enum[0] : undefined;
    const source = group?.startsWith(`${this.service}.`) ? group.slice(this.service.length + 1) : (group ?? (id.replace(/^receive[._-]?/i, "") || id));
    const name = source
      .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^[^a-z]+|-+$/g, "");
    if (!CONSUMER_NAME.test(name)) {
      this.warn(path, `no consumer name can be made of '${id}': not imported`);
      return undefined;
    }
    if (name !== source) this.warn(path, `imported as consumer '${name}'`);
    return name;
  }

  /** Event types of an operation's messages (all the channel's messages when it lists none). */
  private operationEvents(operation: Obj, path: string): string[] {
    const refs: Array<[Json, string]> = Array.isArray(operation.messages)
      ? operation.messages.map((m, i) => [m, pointer(path, "messages", i)])
      : [];
    if (refs.length === 0) {
      const channel = this.deref(operation.channel, pointer(path, "channel"));
      if (channel && isObj(channel.node) && isObj(channel.node.messages)) {
        for (const [key, message] of Object.entries(channel.node.messages)) refs.push([message, pointer(channel.path, "messages", key)]);
      }
    }
    return this.messageTypes(refs);
  }

  private replyEvents(operation: Obj, path: string): string[] {
    if (operation.reply === undefined) return [];
    const reply = this.deref(operation.reply, pointer(path, "reply"));
    if (!reply || !isObj(reply.node)) return [];
    this.leftover(reply.node, reply.path, ["channel", "messages"]);
    const refs: Array<[Json, string]> = Array.isArray(reply.node.messages)
      ? reply.node.messages.map((m, i) => [m, pointer(reply.path, "messages", i)])
      : [];
    if (refs.length === 0) {
      const channel = this.deref(reply.node.channel, pointer(reply.path, "channel"));
      if (channel && isObj(channel.node) && isObj(channel.node.messages)) {
        for (const [key, message] of Object.entries(channel.node.messages)) refs.push([message, pointer(channel.path, "messages", key)]);
      }
    }
    return this.messageTypes(refs);
  }

  private messageTypes(refs: Array<[Json, string]>): string[] {
    const types = new Set<string>();
    for (const [ref, where] of refs) {
      const resolved = this.deref(ref, where);
      if (!resolved) continue;
      const type = this.messages.get(resolved.path)?.type;
      if (type) types.add(type);
    }
    return [...types].sort();
  }

  /** filter, concurrency, timeout, retry, deadLetter, idempotency from x-evgen-consumer; validation checks the values. */
  private consumerPolicy(consumer: Obj, extension: Obj, path: string): void {
    for (const key of ["filter", "concurrency", "timeout", "retry", "deadLetter", "idempotency"]) {
      if (extension[key] === undefined) continue;
      let value = extension[key];
      if (key === "retry" && isObj(value)) {
        const { mode, ...rest } = value;
        if (this.broker === "rabbitmq" && mode !== undefined && mode !== "non-blocking") {
          this.warn(pointer(path, "retry", "mode"), "retry mode is Kafka only: not imported");
        }
        const kept = Object.entries(this.broker === "kafka" ? value : rest).filter(([k, v]) => RETRY_DEFAULTS[k] !== v);
        if (kept.length === 0) continue;
        value = Object.fromEntries(kept);
      }
      // Values equal to the defaults are left out, as a person would write the spec.
      if (CONSUMER_DEFAULTS[key] === value) continue;
      consumer[key] = value;
    }
  }

  private unusedComponents(): void {
    const components = isObj(this.root.components) ? this.root.components : {};
    this.leftover(components, "#/components", ["schemas", "messages", "channels", "operations", "servers", "replies"]);
    const schemas = isObj(components.schemas) ? components.schemas : {};
    for (const [name, schema] of Object.entries(schemas)) {
      const path = pointer("#/components/schemas", name);
      if (this.payloadRoots.has(path) || this.typeNames.has(path)) continue;
      if (this.isObjectSchema(schema)) {
        const typeName = this.typeNameFor(path);
        this.types.set(typeName, this.objectFields(schema, path, false));
      } else if (!this.visited.has(path)) {
        this.warn(path, "not imported: only object schemas become named types, and no field uses this one");
      }
    }
    for (const section of ["channels", "operations", "servers", "replies"]) {
      const entries = isObj(components[section]) ? components[section] : {};
      for (const name of Object.keys(entries)) {
        const path = pointer(`#/components/${section}`, name);
        if (!this.visited.has(path)) this.warn(path, "not imported: nothing refers to it");
      }
    }
  }
}

function shorthandObject(text: string): FieldObjectSpec {
  if (text.endsWith("[]")) return { type: "array", items: text.slice(0, -2) };
  if (["string", "number", "integer", "boolean"].includes(text)) return { type: text as FieldObjectSpec["type"] };
  if (SHORTHAND_FORMATS.has(text)) return { type: "string", format: text as FieldObjectSpec["format"] };
  return { $ref: text };
}

/** The shorthand string for a field object that says no more than it: { type: string, format: uuid } -> uuid. */
function simplify(unordered: FieldObjectSpec): FieldTypeSpec {
  const rank = (key: string) => KEY_ORDER.indexOf(key);
  const spec = Object.fromEntries(Object.entries(unordered).sort(([a], [b]) => rank(a) - rank(b))) as FieldObjectSpec;
  const keys = Object.keys(spec);
  const only = (...allowed: string[]) => keys.every((k) => allowed.includes(k));
  if (typeof spec.type === "string" && only("type") && ["string", "number", "integer", "boolean"].includes(spec.type)) {
    return spec.type;
  }
  if (spec.type === "string" && only("type", "format") && spec.format && SHORTHAND_FORMATS.has(FORMATS[spec.format]!)) {
    return FORMATS[spec.format]!;
  }
  if (typeof spec.$ref === "string" && only("$ref")) return spec.$ref;
  if (spec.type === "array" && only("type", "items") && typeof spec.items === "string" && !spec.items.endsWith("[]")) {
    return `${spec.items}[]`;
  }
  return spec;
}

/** The spec as YAML: block style for sections, flow style for field objects and lists of values. */
function renderSpec(spec: Obj, sourceName: string | undefined): string {
  const document = new Document(spec);
  for (const section of ["kafka", "types", "events", "consumers"]) {
    const node = document.get(section, true);
    if (node === undefined) continue;
    visit(node as Parameters<typeof visit>[0], {
      Seq(_, seq) {
        if (seq.items.every((item) => isScalar(item))) seq.flow = true;
      },
      Map(_, map) {
        if (section === "consumers") return;
        const keys = map.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ""));
        if (keys.some((k) => ["type", "$ref", "enum", "const", "oneOf", "anyOf"].includes(k))) map.flow = true;
      },
    });
  }
  const body = document.toString({ lineWidth: 0, flowCollectionPadding: false });
  const header = sourceName === undefined ? "" : `# Imported from ${sourceName.replace(/[\r\n]+/g, " ")} by \`evgen import asyncapi\`.\n`;
  return `${MODELINE}\n${header}${body}`;
}

