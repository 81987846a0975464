// info.title -> service, servers -> broker and its addresses.
import type { Broker } from "../../ir/types.js";
import { BROKER_ADDRESS, SERVER_NAME, SERVICE_NAME } from "../../spec/patterns.js";
import type { ImportContext } from "./context.js";
import { isObj, pointer, unescape, type Json, type Obj } from "./json.js";
import { kebab } from "./slug.js";

export function serviceName(ctx: ImportContext, title: Json): string {
  const raw = typeof title === "string" ? title : "";
  const slug = kebab(raw).slice(0, 214).replace(/-+$/, "");
  if (SERVICE_NAME.test(slug)) {
    if (slug !== raw) ctx.warn("#/info/title", `imported as service '${slug}' (service names are [a-z][a-z0-9-]*)`);
    return slug;
  }
  ctx.warn("#/info/title", `no usable service name in the title: imported as 'service'`);
  return "service";
}

function serverEntries(ctx: ImportContext): Array<[string, Obj]> {
  const servers = ctx.root.servers;
  if (!isObj(servers)) return [];
  return Object.entries(servers).flatMap(([name, value]) => {
    const resolved = ctx.deref(value, pointer("#/servers", name));
    return resolved && isObj(resolved.node) ? [[resolved.path, resolved.node] as [string, Obj]] : [];
  });
}

/** Kafka when a server speaks kafka, RabbitMQ when one speaks amqp (or a channel has amqp bindings). */
export function detectBroker(ctx: ImportContext): Broker {
  const protocols = serverEntries(ctx).map(([, server]) => String(server.protocol ?? ""));
  if (protocols.some((p) => p.startsWith("kafka"))) return "kafka";
  if (protocols.some((p) => p.startsWith("amqp"))) return "rabbitmq";
  const text = JSON.stringify(ctx.root.channels ?? {});
  if (text.includes('"amqp"')) return "rabbitmq";
  ctx.warn("#/servers", "no kafka or amqp server tells the broker: imported for kafka (pass --broker to choose)");
  return "kafka";
}

/**
 * The `kafka.brokers` or `rabbitmq.url` the servers give, and named `servers` (environments): the
 * servers export marks with x-evgen-server, or, in a document evgen did not write, every server
 * when there are several (production, staging ...), the first also being the default.
 */
export function servers(ctx: ImportContext): Obj {
  const usable = serverEntries(ctx).flatMap(([path, server]) => {
    const address = serverAddress(ctx, path, server);
    return address === undefined ? [] : [{ path, server, address }];
  });
  const own = isObj(ctx.root.info) && typeof ctx.root.info["x-evgen-source"] === "string";
  const defaults = usable.filter(({ server }) => typeof server["x-evgen-server"] !== "string");
  const named = new Map<string, string[]>();
  for (const { path, server, address } of usable) {
    const mark = server["x-evgen-server"];
    const name =
      typeof mark === "string"
        ? mark
        : !own && usable.length > 1
          ? kebab(unescape(path.split("/").at(-1)!))
          : undefined;
    if (name === undefined) continue;
    if (!SERVER_NAME.test(name)) {
      ctx.warn(path, `no server name can be made of it ([a-z][a-z0-9-]*): not imported as a named server`);
      continue;
    }
    named.set(name, [...(named.get(name) ?? []), address]);
  }
  const section: Obj = {};
  if (ctx.broker === "kafka") {
    const brokers = (own ? defaults : usable.slice(0, 1)).map(({ address }) => address);
    if (brokers.length > 0) section.brokers = brokers;
    if (named.size > 0) section.servers = Object.fromEntries(named);
    return Object.keys(section).length > 0 ? { kafka: section } : {};
  }
  const first = (own ? defaults : usable)[0];
  if (first) section.url = first.address;
  for (const [name, urls] of named) {
    if (urls.length > 1) ctx.warn("#/servers", `server '${name}' has several AMQP URLs: the first is imported`);
  }
  if (named.size > 0) section.servers = Object.fromEntries([...named].map(([name, urls]) => [name, urls[0]!]));
  return Object.keys(section).length > 0 ? { rabbitmq: section } : {};
}

/** host:port of a Kafka server, or the URL of an AMQP one; undefined (with a warning) when it is neither for this broker. */
function serverAddress(ctx: ImportContext, path: string, server: Obj): string | undefined {
  ctx.leftover(server, path, ["host", "protocol", "pathname"]);
  const protocol = String(server.protocol ?? "");
  const host = typeof server.host === "string" ? server.host : "";
  const isKafka = protocol.startsWith("kafka");
  const isAmqp = protocol === "amqp" || protocol === "amqps";
  if ((ctx.broker === "kafka" && !isKafka) || (ctx.broker === "rabbitmq" && !isAmqp)) {
    ctx.warn(path, `a ${protocol || "server"} server is not used by a ${ctx.broker} service`);
    return undefined;
  }
  if (isKafka) {
    if (server.pathname !== undefined) ctx.warn(pointer(path, "pathname"), "Kafka servers have no path");
    if (BROKER_ADDRESS.test(host)) return host;
    ctx.warn(pointer(path, "host"), `'${host}' is not a host:port address`);
    return undefined;
  }
  const pathname = typeof server.pathname === "string" ? server.pathname : "";
  const candidate = `${protocol}://${host}${pathname && !pathname.startsWith("/") ? "/" : ""}${pathname}`;
  try {
    new URL(candidate);
    return candidate;
  } catch {
    ctx.warn(path, `'${candidate}' is not a valid AMQP URL`);
    return undefined;
  }
}
