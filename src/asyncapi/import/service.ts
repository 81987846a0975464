// info.title -> service, servers -> broker and its addresses.
import type { Broker } from "../../ir/types.js";
import { BROKER_ADDRESS, SERVICE_NAME } from "../../spec/patterns.js";
import type { ImportContext } from "./context.js";
import { isObj, pointer, type Json, type Obj } from "./json.js";
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

/** The `kafka.brokers` or `rabbitmq.url` the servers give. */
export function servers(ctx: ImportContext): Obj {
  const brokers: string[] = [];
  let url: string | undefined;
  for (const [path, server] of serverEntries(ctx)) {
    ctx.leftover(server, path, ["host", "protocol", "pathname"]);
    const protocol = String(server.protocol ?? "");
    const host = typeof server.host === "string" ? server.host : "";
    const isKafka = protocol.startsWith("kafka");
    const isAmqp = protocol === "amqp" || protocol === "amqps";
    if ((ctx.broker === "kafka" && !isKafka) || (ctx.broker === "rabbitmq" && !isAmqp)) {
      ctx.warn(path, `a ${protocol || "server"} server is not used by a ${ctx.broker} service`);
      continue;
    }
    if (isKafka) {
      if (BROKER_ADDRESS.test(host)) brokers.push(host);
      else ctx.warn(pointer(path, "host"), `'${host}' is not a host:port address`);
      if (server.pathname !== undefined) ctx.warn(pointer(path, "pathname"), "Kafka servers have no path");
      continue;
    }
    if (url !== undefined) {
      ctx.warn(path, "only the first RabbitMQ server is imported");
      continue;
    }
    const pathname = typeof server.pathname === "string" ? server.pathname : "";
    const candidate = `${protocol}://${host}${pathname && !pathname.startsWith("/") ? "/" : ""}${pathname}`;
    try {
      new URL(candidate);
      url = candidate;
    } catch {
      ctx.warn(path, `'${candidate}' is not a valid AMQP URL`);
    }
  }
  if (ctx.broker === "kafka" && brokers.length > 0) return { kafka: { brokers } };
  if (ctx.broker === "rabbitmq" && url !== undefined) return { rabbitmq: { url } };
  return {};
}
