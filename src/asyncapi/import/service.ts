// info.title -> service, servers -> broker and its addresses.
import { allBrokers, brokerOf } from "../../broker/index.js";
import type { Broker } from "../../ir/types.js";
import { DEFAULT_BROKER } from "../../broker/index.js";
import { SERVER_NAME, SERVICE_NAME } from "../../spec/patterns.js";
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

/**
 * The first broker (in the spec's order) one of whose servers speaks its protocol (kafka, amqp);
 * else one, other than the default, whose bindings a channel has.
 */
export function detectBroker(ctx: ImportContext): Broker {
  const protocols = serverEntries(ctx).map(([, server]) => String(server.protocol ?? ""));
  const brokers = allBrokers();
  const spoken = brokers.find(({ asyncapiImport }) => protocols.some((p) => p.startsWith(asyncapiImport.protocol)));
  if (spoken) return spoken.name;
  const text = JSON.stringify(ctx.root.channels ?? {});
  const bound = brokers.find(
    ({ name, asyncapiImport }) => name !== DEFAULT_BROKER && text.includes(JSON.stringify(asyncapiImport.protocol)),
  );
  if (bound) return bound.name;
  const choice = brokers.map(({ asyncapiImport }) => asyncapiImport.protocol).join(" or ");
  ctx.warn(
    "#/servers",
    `no ${choice} server tells the broker: imported for ${DEFAULT_BROKER} (pass --broker to choose)`,
  );
  return DEFAULT_BROKER;
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
  // A document evgen did not write: its first server is the default.
  const main = (own ? defaults : usable.slice(0, 1)).map(({ address }) => address);
  return brokerOf(ctx.broker).asyncapiImport.serverSettings(main, named, (path, message) => ctx.warn(path, message));
}

/** host:port of a Kafka server, or the URL of an AMQP one; undefined (with a warning) when it is neither for this broker. */
function serverAddress(ctx: ImportContext, path: string, server: Obj): string | undefined {
  ctx.leftover(server, path, ["host", "protocol", "pathname"]);
  const protocol = String(server.protocol ?? "");
  const host = typeof server.host === "string" ? server.host : "";
  const asyncapiImport = brokerOf(ctx.broker).asyncapiImport;
  if (!asyncapiImport.serves(protocol)) {
    ctx.warn(path, `a ${protocol || "server"} server is not used by a ${ctx.broker} service`);
    return undefined;
  }
  return asyncapiImport.serverAddress({ protocol, host, pathname: server.pathname }, path, (at, message) =>
    ctx.warn(at, message),
  );
}
