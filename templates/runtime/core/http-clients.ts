// Who may publish over HTTP: clients named by EVGEN_API_TOKENS ("name:token[:type|type...],...")
// and the single EVGEN_API_TOKEN (client "default", every type). A client's name goes into logs and
// metrics; its token never does (docs/spec.md, HTTP ingress).
import { createHash, timingSafeEqual } from "node:crypto";

export interface ApiClient {
  name: string;
  /** SHA-256 of its token: what requests are compared against (the token itself is not kept). */
  digest: Buffer;
  /** The event types it may publish; undefined: every type the ingress accepts. */
  types?: ReadonlySet<string>;
}

/** The name EVGEN_API_TOKEN's client goes by. */
export const DEFAULT_CLIENT = "default";
/** The name in logs and metrics when no token is configured and anyone may publish. */
export const ANONYMOUS_CLIENT = "anonymous";
/** The name in logs and metrics of a request whose token is missing or unknown (401). */
export const UNAUTHENTICATED = "unauthenticated";

const digest = (text: string) => createHash("sha256").update(text).digest();

const CLIENT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Printable ASCII without the separators of the variable (",", ":", "|") or spaces. */
const TOKEN = /^[\x21-\x2b\x2d-\x39\x3b-\x7b\x7d\x7e]{16,512}$/;

export interface ParsedClients {
  clients: ApiClient[];
  /** Problems, none of which repeats a token. */
  problems: string[];
}

/**
 * EVGEN_API_TOKENS and EVGEN_API_TOKEN as clients. `accepted` are the event types POST /events
 * accepts: a client limited to another type is a mistake said at startup, not a 404 later.
 */
export function parseApiClients(
  tokens: string | undefined,
  single: string | undefined,
  accepted: readonly string[],
): ParsedClients {
  const clients: ApiClient[] = [];
  const problems: string[] = [];
  const problem = (text: string) => problems.push(`EVGEN_API_TOKENS: ${text}`);
  if (single !== undefined) clients.push({ name: DEFAULT_CLIENT, digest: digest(single) });
  const entries = tokens === undefined ? [] : tokens.split(",").map((entry) => entry.trim());
  for (const [index, entry] of entries.entries()) {
    const where = `entry ${index + 1}`;
    if (entry === "") {
      problem(`${where} is empty (expected name:token[:type|type...])`);
      continue;
    }
    const [name = "", token = "", types, ...rest] = entry.split(":");
    if (rest.length > 0 || token === "") {
      problem(`${where} must be name:token or name:token:type|type (a token holds no ":" or ",")`);
      continue;
    }
    if (!CLIENT_NAME.test(name)) {
      problem(`${where}: client name "${name.slice(0, 64)}" must match [a-z0-9][a-z0-9_-]* (at most 64)`);
      continue;
    }
    if (!TOKEN.test(token)) {
      problem(`client ${name}: its token must be 16 to 512 printable characters without spaces, ",", ":" or "|"`);
      continue;
    }
    if (name === ANONYMOUS_CLIENT || name === UNAUTHENTICATED) {
      problem(`client name ${name} is what logs and metrics call requests without a known token`);
      continue;
    }
    if (clients.some((client) => client.name === name)) {
      problem(
        `client ${name} is named twice${name === DEFAULT_CLIENT ? " (EVGEN_API_TOKEN's client is named default)" : ""}`,
      );
      continue;
    }
    if (clients.some((client) => client.digest.equals(digest(token)))) {
      problem(`client ${name} has the token of another client`);
      continue;
    }
    const client: ApiClient = { name, digest: digest(token) };
    if (types !== undefined) {
      const list = types.split("|").map((type) => type.trim());
      const unknown = list.filter((type) => !accepted.includes(type));
      if (list.length === 0 || unknown.length > 0) {
        problem(
          `client ${name} may publish ${unknown.map((type) => `"${type.slice(0, 100)}"`).join(", ") || "nothing"}, which POST /events does not accept (accepted: ${accepted.join(", ") || "none"})`,
        );
        continue;
      }
      client.types = new Set(list);
    }
    clients.push(client);
  }
  return { clients, problems };
}

/**
 * The client whose token the `Authorization: Bearer` header holds. Every client's token is
 * compared, digest against digest, so the time taken says nothing of which one matched or how far.
 */
export function authenticate(authorization: string | undefined, clients: readonly ApiClient[]): ApiClient | undefined {
  const match = /^Bearer (.+)$/i.exec(authorization ?? "");
  const given = digest(match?.[1] ?? "");
  let found: ApiClient | undefined;
  for (const client of clients) {
    if (timingSafeEqual(given, client.digest) && match) found = client;
  }
  return found;
}

/** Whether `client` may publish events of `type`. */
export function mayPublish(client: ApiClient, type: string): boolean {
  return client.types === undefined || client.types.has(type);
}
