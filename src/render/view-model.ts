// The view models templates print. Everything a template shows is computed here, once: code
// fragments from the schema printers, every spec string as a JSON literal or a validated
// identifier, descriptions as escaped comments. Templates only loop and print.
import { posix } from "node:path";
import { brokerOf, type BrokerView } from "../broker/index.js";
import { handlersTypeName } from "../ir/names.js";
import type { IR, IRConsumer, IREvent, IRField, IRNamedType, IRWindow, JsonValue } from "../ir/types.js";
import { durationText } from "../spec/duration.js";
import { jsDoc } from "./comment.js";
import { filterSample, typeAtPath } from "./filter-sample.js";
import { indent, jsInline, jsLiteral, markdownTable, objectKeys, PRINT_WIDTH, type Layout } from "./layout.js";
import { failureText, markdownText, shellQuote } from "./prose.js";
import { sampleFields, setOwn } from "./sample.js";
import { tsObjectType } from "./ts-type.js";
import { zodObject } from "./zod-schema.js";

export interface SchemaView {
  typeName: string;
  schemaName: string;
  doc: string;
  /** Object type literal, the interface body. */
  tsBody: string;
  zod: string;
}

export interface EventView {
  /** As in the spec (validated: lower-case segments and dots). */
  type: string;
  typeJson: string;
  typeName: string;
  doc: string;
  latest: number;
  versions: Array<SchemaView & { version: number }>;
  latestTypeName: string;
  /** EventVersions member type, `{ 1: AV1; 2: AV2 }`, and eventDefs' `{ 1: aV1Schema, 2: aV2Schema }`. */
  versionTypes: string;
  versionSchemas: string;
  keyJson: string;
  topicJson: string;
  /** RabbitMQ: the routing key it is published with ("" on Kafka). */
  routingKeyJson: string;
  /** Whether POST /events/<type> accepts it. */
  http: boolean;
  /** README: "1, 2", whether POST /events accepts it, and the description as a table cell. */
  versionList: string;
  httpCell: string;
  descriptionCell: string;
}

export interface ConsumerView {
  name: string;
  nameJson: string;
  /** The consumer's name as an object key, as prettier prints it (bare when an identifier). */
  key: string;
  /** `export type XHandlers = Handlers<...>;`, broken over lines as prettier would. */
  handlersTypeDecl: string;
  /** Whether its generated module and scaffolds are printed in prettier's layout. */
  shaped: boolean;
  doc: string;
  handlersType: string;
  /** The variable main.ts imports the consumer's handler module as (`import * as`). */
  moduleVar: string;
  /** `export type StartContext = ...;`: what the module's onStart gets. */
  startContextDecl: string;
  /** A window consumer: its aggregate's types and the scaffold's summary. */
  window: WindowView | false;
  /** Union of its `on` event types as string literal types. */
  onUnion: string;
  /** Union of its `emits` event types, or `never`. */
  emitsUnion: string;
  /** Per `on` event: the stub handler's log fields (the event's key, when it has one) and message. */
  on: Array<{ typeJson: string; logFields: string; logJson: string }>;
  /** The ConsumerDef of service-def.ts as an object literal. */
  defLiteral: string;
  /** Import specifiers of the consumer's module, from its handler file and from src/generated. */
  moduleFromHandler: string;
  moduleFromGenerated: string;
  /** Import specifier of the handler module from src/generated/main.ts and from its test. */
  handlerFromMain: string;
  handlerFromTest: string;
  testingFromTest: string;
  /** The event its scaffolded test publishes, when an example payload could be derived. */
  testEvent: { typeJson: string; titleJson: string; dataLiteral: string } | false;
  /** README table cells. */
  onList: string;
  emitsList: string;
  failureText: string;
}

export interface WindowView {
  aggregateType: string;
  /** The events `add` receives: EventOf<EventVersions, T> for each `on` type T. */
  eventType: string;
  /** `EventPayloads["<summary type>"]`. */
  summaryType: string;
  summaryJson: string;
  /** README: the summary's type as inline code. */
  summaryCode: string;
  /** The scaffold's emit: a payload the summary's schema accepts, as an object literal. */
  summaryLiteral: string;
  /** Its size and grace, as the spec would write them, and its key path. */
  sizeText: string;
  graceText: string;
  by: string;
}

export interface ProjectView {
  header: string;
  service: string;
  serviceJson: string;
  sourceJson: string;
  descriptionJson: string;
  /** README: the description as a paragraph. */
  descriptionText: string;
  /** README: the description's paragraph and the blank line after it, or nothing. */
  descriptionBlock: string;
  /** README: the tables of events and consumers, aligned as prettier aligns them. */
  eventsTable: string;
  consumersTable: string;
  /** Whether README.md is printed in prettier's layout. */
  readmeCanonical: boolean;
  broker: IR["broker"];
  /** The broker's own fields (its descriptor's view, src/broker/): ServiceDef settings, runtime modules, partials' values. */
  brokerView: BrokerView;
  /** .env.example: the spec's named servers, comma-separated ("" when it names none). */
  serverNames: string;
  /** The variable that points the service at its broker. */
  brokerEnv: string;
  /** The ServiceDef's settings of its broker, held under the broker's name (the only broker settings it holds). */
  brokerSettingsLiteral: string;
  types: SchemaView[];
  events: EventView[];
  /** Whether events.ts is printed in prettier's layout (src/render/layout.ts). */
  eventsCanonical: boolean;
  /** Whether service-def.ts and testing.ts are. */
  serviceDefCanonical: boolean;
  consumers: ConsumerView[];
  /** README: an event to POST, and the `publisher.publish(...)` call of it in prettier's layout. */
  example: { type: string; json: string; shellJson: string; publishCall: string };
  /** Redis / PostgreSQL used by any store (idempotency or windows): compose, env, dependencies. */
  redis: boolean;
  postgres: boolean;
  /** Any idempotency store beyond memory. */
  stores: boolean;
  idempotencyRedis: boolean;
  idempotencyPostgres: boolean;
  windowRedis: boolean;
  windowPostgres: boolean;
  /** Any window store on a server. */
  windowServerStores: boolean;
  /** Consumers with handlers, and window consumers (with an aggregate). */
  handlerConsumers: ConsumerView[];
  windowConsumers: ConsumerView[];
  /** Some consumer has a circuit breaker. */
  circuitBreakers: boolean;
  /** The broker's docker-compose service, and its name in prose. */
  brokerService: string;
  brokerName: string;
}

/** A module's import specifier for another project file (NodeNext: `.js` for `.ts`). */
function importPath(fromFile: string, toFile: string): string {
  const relative = posix.relative(posix.dirname(fromFile), toFile).replace(/\.ts$/, ".js");
  return relative.startsWith(".") ? relative : `./${relative}`;
}

/**
 * `export type Name = Generic<...>;` on one line when it fits, else one type argument a line; each
 * argument is a list of union members, and a union too long for its line gets one member a line,
 * each after a leading `|`, as prettier prints it.
 */
function typeDecl(typeName: string, generic: string, args: string[][], layout: Layout): string {
  const flat = args.map(union);
  const oneLine = `export type ${typeName} = ${generic}<${flat.join(", ")}>;`;
  if (oneLine.length <= PRINT_WIDTH) return oneLine;
  const lines = args.map((members, index) => {
    const arg = flat[index]!;
    if (indent(1).length + arg.length + 1 <= PRINT_WIDTH) return `${indent(1)}${arg}`;
    if (members.some((member) => indent(1).length + member.length + 3 > PRINT_WIDTH)) layout.canonical = false;
    return members.map((member) => `${indent(1)}| ${member}`).join("\n");
  });
  return `export type ${typeName} = ${generic}<\n${lines.join(",\n")}\n>;`;
}

function namedTypeView(type: IRNamedType, layout: Layout): SchemaView {
  return {
    typeName: type.typeName,
    schemaName: type.schemaName,
    doc: jsDoc(type.doc),
    tsBody: tsObjectType(type.fields, 0, layout),
    zod: zodObject(type.fields, 0, layout),
  };
}

function eventView(ir: IR, event: IREvent, layout: Layout): EventView {
  const latest = event.versions.find((version) => version.version === event.latest);
  const { routingKey } = brokerOf(ir.broker).eventDefFields(event);
  return {
    type: event.type,
    typeJson: JSON.stringify(event.type),
    typeName: event.typeName,
    doc: jsDoc(event.doc),
    latest: event.latest,
    latestTypeName: latest?.typeName ?? event.typeName,
    versions: event.versions.map((version) => ({
      version: version.version,
      typeName: version.typeName,
      schemaName: version.schemaName,
      doc: jsDoc(`${event.type} version ${version.version}${event.doc ? `: ${event.doc}` : ""}`),
      tsBody: tsObjectType(version.fields, 0, layout),
      zod: zodObject(version.fields, 0, layout),
    })),
    versionTypes: `{ ${event.versions.map((version) => `${version.version}: ${version.typeName}`).join("; ")} }`,
    versionSchemas: `{ ${event.versions.map((version) => `${version.version}: ${version.schemaName}`).join(", ")} }`,
    keyJson: event.key === undefined ? "" : JSON.stringify(event.key),
    topicJson: JSON.stringify(event.topic),
    routingKeyJson: routingKey === undefined ? "" : JSON.stringify(routingKey),
    http: event.http,
    versionList: event.versions.map((version) => version.version).join(", "),
    httpCell: event.http
      ? "yes"
      : event.emittedBy.length > 0
        ? `no: emitted by ${event.emittedBy.map((name) => `\`${name}\``).join(", ")}`
        : "no",
    descriptionCell: markdownText(event.description),
  };
}

/** Sets `value` at a dot path below the payload ("data.a.b" sets payload.a.b); undefined removes it. */
function setAtPath(payload: Record<string, JsonValue>, path: string, value: JsonValue | undefined): void {
  const keys = path.split(".").slice(1);
  const last = keys.pop();
  if (last === undefined) return;
  let target = payload;
  for (const key of keys) {
    const next = Object.hasOwn(target, key) ? target[key] : undefined;
    if (value === undefined && (next === null || typeof next !== "object")) return;
    if (next === null || typeof next !== "object" || Array.isArray(next)) setOwn(target, key, {});
    target = target[key] as Record<string, JsonValue>;
  }
  if (value === undefined) delete target[last];
  else setOwn(target, last, value);
}

/** The value at a dot path below the payload, if there is one. */
function valueAtPath(payload: Record<string, JsonValue>, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = payload;
  for (const key of path.split(".").slice(1)) {
    if (node === null || typeof node !== "object" || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function latestFields(ir: IR, type: string): IRField[] {
  const event = ir.events.find((candidate) => candidate.type === type);
  return event?.versions.find((candidate) => candidate.version === event.latest)?.fields ?? [];
}

type NamedTypes = ReadonlyMap<string, IRNamedType>;

function samplePayload(ir: IR, types: NamedTypes, type: string): Record<string, JsonValue> | undefined {
  const event = ir.events.find((candidate) => candidate.type === type);
  const version = event?.versions.find((candidate) => candidate.version === event.latest);
  return version && sampleFields(version.fields, types);
}

function testEvent(
  ir: IR,
  types: NamedTypes,
  consumer: IRConsumer,
  layout: Layout,
): ConsumerView["testEvent"] | undefined {
  for (const type of consumer.on) {
    const data = samplePayload(ir, types, type);
    if (!data) continue;
    const fields = latestFields(ir, type);
    for (const filter of consumer.filter) {
      if (!filter.path.startsWith("data.")) continue;
      const value = filterSample(filter, valueAtPath(data, filter.path), typeAtPath(fields, filter.path, types), types);
      setAtPath(data, filter.path, value);
    }
    // The payload is the last argument of `await harness.publish(type, {...})`, two levels in.
    const dataLiteral = jsLiteral(data, 2, 0, layout);
    return {
      typeJson: JSON.stringify(type),
      titleJson: JSON.stringify(`${consumer.window ? "summarizes" : "handles"} ${type}`),
      dataLiteral,
    };
  }
  return undefined;
}

/** Members of a union of string literal types (`never` for none). */
const literals = (types: string[]): string[] =>
  types.length === 0 ? ["never"] : types.map((type) => JSON.stringify(type));

const union = (members: string[]): string => members.join(" | ");

function consumerView(ir: IR, types: NamedTypes, consumer: IRConsumer, serviceDefLayout: Layout): ConsumerView {
  const { files } = consumer;
  const def = {
    name: consumer.name,
    group: consumer.group,
    on: consumer.on,
    emits: consumer.emits,
    topics: consumer.topics,
    ...brokerOf(ir.broker).consumerDefFields(consumer),
    filter: consumer.filter,
    concurrency: consumer.concurrency,
    timeoutMs: consumer.timeoutMs,
    retry: consumer.retry,
    retryQueues: consumer.retryQueues,
    deadLetter: consumer.deadLetter,
    ...(consumer.deadLetterQueue ? { deadLetterQueue: consumer.deadLetterQueue } : {}),
    ...(consumer.replayTopic ? { replayTopic: consumer.replayTopic } : {}),
    ...(consumer.circuitBreaker ? { circuitBreaker: consumer.circuitBreaker } : {}),
    idempotency: consumer.idempotency,
    idempotencyTtlMs: consumer.idempotencyTtlMs,
    ...(consumer.window ? { window: consumer.window } : {}),
  };
  const layout: Layout = { canonical: true };
  const key = objectKeys([consumer.name], serviceDefLayout).get(consumer.name)!;
  // A window consumer's module exports an aggregate type instead (the harness takes either).
  const handlersType = consumer.window ? `${consumer.typeName}Aggregate` : handlersTypeName(consumer.typeName);
  const defStart = `${indent(2)}${key}: `;
  return {
    name: consumer.name,
    nameJson: JSON.stringify(consumer.name),
    key,
    handlersTypeDecl: typeDecl(
      handlersType,
      "Handlers",
      [["EventVersions"], ["EventPayloads"], literals(consumer.on), literals(consumer.emits)],
      layout,
    ),
    startContextDecl: typeDecl(
      "StartContext",
      "LifecycleStartContext",
      [["EventPayloads"], literals(consumer.emits)],
      layout,
    ),
    window: consumer.window ? windowView(ir, types, consumer, consumer.window, layout) : false,
    doc: jsDoc(consumer.doc),
    handlersType,
    moduleVar: `${consumer.ident}Module`,
    onUnion: union(literals(consumer.on)),
    emitsUnion: union(literals(consumer.emits)),
    on: consumer.on.map((type) => {
      const key = ir.events.find((event) => event.type === type)?.key;
      return {
        typeJson: JSON.stringify(type),
        logFields: key === undefined ? "{}" : `{ ${key}: event.data.${key} }`,
        logJson: JSON.stringify(`${type} received`),
      };
    }),
    defLiteral: jsLiteral(def, 2, defStart.length, serviceDefLayout),
    moduleFromHandler: importPath(files.handler, files.generated),
    moduleFromGenerated: importPath("src/generated/index.ts", files.generated),
    handlerFromMain: importPath("src/generated/main.ts", files.handler),
    handlerFromTest: importPath(files.test, files.handler),
    testingFromTest: importPath(files.test, "src/generated/testing.ts"),
    testEvent: testEvent(ir, types, consumer, layout) ?? false,
    onList: consumer.on.map((type) => `\`${type}\``).join(", "),
    emitsList: consumer.emits.map((type) => `\`${type}\``).join(", ") || "–",
    failureText: failureText(consumer),
    get shaped() {
      return layout.canonical;
    },
  };
}

function windowView(ir: IR, types: NamedTypes, consumer: IRConsumer, window: IRWindow, layout: Layout): WindowView {
  const summary = samplePayload(ir, types, window.emits) ?? {};
  return {
    aggregateType: `${consumer.typeName}Aggregate`,
    eventType: consumer.on.map((type) => `EventOf<EventVersions, ${JSON.stringify(type)}>`).join(" | "),
    summaryType: `EventPayloads[${JSON.stringify(window.emits)}]`,
    summaryJson: JSON.stringify(window.emits),
    summaryCode: `\`${window.emits}\``,
    // The literal follows `  emit: () => (` in the scaffold.
    summaryLiteral: jsLiteral(summary, 1, "  emit: () => (".length, layout),
    sizeText: durationText(window.sizeMs),
    graceText: durationText(window.graceMs),
    by: window.by,
  };
}

/** README: an event to POST, with a payload its schema accepts. */
function exampleEvent(ir: IR, types: NamedTypes, layout: Layout): ProjectView["example"] {
  // The quick start POSTs it: an event the HTTP ingress accepts, when there is one.
  const type = (ir.events.find((event) => event.http) ?? ir.events[0])?.type ?? "";
  const data = samplePayload(ir, types, type) ?? {};
  const json = JSON.stringify(data);
  const call = `const id = await publisher.publish(${JSON.stringify(type)}, `;
  // The payload is the call's last argument, followed by `);`.
  const publishCall = `${call}${jsInline(data, 0, call.length, 2, layout)});`;
  return { type, json, shellJson: shellQuote(json), publishCall };
}

/** The README's description paragraph: plain text only is known to come out of prettier as it went in. */
function descriptionBlock(description: string | undefined, layout: Layout): string {
  if (!description) return "";
  if (!/^[A-Za-z0-9 .,:;()'"/?!%-]*$/.test(description)) layout.canonical = false;
  return `${description}\n\n`;
}

export function projectView(ir: IR, header: string): ProjectView {
  const broker = brokerOf(ir.broker);
  const types: NamedTypes = new Map(ir.types.map((type) => [type.name, type]));
  const layout: Layout = { canonical: true };
  const schemaViews = ir.types.map((type) => namedTypeView(type, layout));
  const eventViews = ir.events.map((event) => eventView(ir, event, layout));
  const serviceDefLayout: Layout = { canonical: true };
  const consumerViews = ir.consumers.map((consumer) => consumerView(ir, types, consumer, serviceDefLayout));
  const readmeLayout: Layout = { canonical: true };
  const eventsTable = markdownTable(
    ["type", "versions", "over HTTP", "description"],
    eventViews.map((event) => [`\`${event.type}\``, event.versionList, event.httpCell, event.descriptionCell]),
    readmeLayout,
  );
  const consumersTable = markdownTable(
    ["consumer", "handles", "may publish", "on failure"],
    consumerViews.map((consumer) => [
      `\`${consumer.name}\``,
      consumer.onList,
      consumer.emitsList,
      consumer.failureText,
    ]),
    readmeLayout,
  );
  return {
    header,
    service: ir.service,
    serviceJson: JSON.stringify(ir.service),
    sourceJson: JSON.stringify(ir.source),
    descriptionJson: JSON.stringify(ir.description ?? ""),
    descriptionText: markdownText(ir.description),
    descriptionBlock: descriptionBlock(markdownText(ir.description), readmeLayout),
    eventsTable,
    consumersTable,
    get readmeCanonical() {
      return readmeLayout.canonical;
    },
    broker: ir.broker,
    brokerView: broker.view(ir),
    brokerSettingsLiteral: jsLiteral(broker.serviceSettings(ir), 1, 0, serviceDefLayout),
    serverNames: Object.keys(broker.servers(ir) ?? {}).join(", "),
    brokerEnv: broker.connectionEnv,
    types: schemaViews,
    events: eventViews,
    eventsCanonical: layout.canonical,
    get serviceDefCanonical() {
      return serviceDefLayout.canonical;
    },
    consumers: consumerViews,
    example: exampleEvent(ir, types, readmeLayout),
    redis: ir.idempotencyStores.includes("redis") || ir.windowStores.includes("redis"),
    postgres: ir.idempotencyStores.includes("postgres") || ir.windowStores.includes("postgres"),
    stores: ir.idempotencyStores.some((store) => store !== "memory"),
    idempotencyRedis: ir.idempotencyStores.includes("redis"),
    idempotencyPostgres: ir.idempotencyStores.includes("postgres"),
    windowRedis: ir.windowStores.includes("redis"),
    windowPostgres: ir.windowStores.includes("postgres"),
    windowServerStores: ir.windowStores.some((store) => store !== "memory"),
    handlerConsumers: consumerViews.filter((consumer) => !consumer.window),
    windowConsumers: consumerViews.filter((consumer) => consumer.window),
    circuitBreakers: ir.consumers.some((consumer) => consumer.circuitBreaker !== undefined),
    brokerService: broker.composeService,
    brokerName: broker.label,
  };
}
