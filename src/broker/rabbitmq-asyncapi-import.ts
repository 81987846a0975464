// What `evgen import asyncapi` reads of AMQP servers: a URL each (credentials never appear in
// AsyncAPI), the first default one as rabbitmq.url and named environments as rabbitmq.servers.
import type { BrokerAsyncApiImport } from "./types.js";

export const rabbitmqAsyncApiImport: BrokerAsyncApiImport = {
  protocol: "amqp",
  serves: (protocol) => protocol === "amqp" || protocol === "amqps",

  serverAddress({ protocol, host, pathname }, path, warn) {
    const vhostPath = typeof pathname === "string" ? pathname : "";
    const candidate = `${protocol}://${host}${vhostPath && !vhostPath.startsWith("/") ? "/" : ""}${vhostPath}`;
    try {
      new URL(candidate);
      return candidate;
    } catch {
      warn(path, `'${candidate}' is not a valid AMQP URL`);
      return undefined;
    }
  },

  serverSettings(main, named, warn) {
    const section: Record<string, unknown> = {};
    if (main[0] !== undefined) section.url = main[0];
    for (const [name, urls] of named) {
      if (urls.length > 1) warn("#/servers", `server '${name}' has several AMQP URLs: the first is imported`);
    }
    if (named.size > 0) section.servers = Object.fromEntries([...named].map(([name, urls]) => [name, urls[0]!]));
    return Object.keys(section).length > 0 ? { rabbitmq: section } : {};
  },
};
