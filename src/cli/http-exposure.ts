// Which events the generated service's HTTP ingress accepts, as `evgen validate` tells it: an event
// a consumer emits is not accepted unless the spec says `http: true` (docs/spec.md, events).
import type { IR } from "../ir/types.js";

export interface HttpExposure {
  /** Accepted by POST /events/<type> and POST /events. */
  accepted: string[];
  /** Refused with 404, and the consumers that emit each (empty: `http: false`). */
  refused: Array<{ type: string; emittedBy: string[] }>;
}

export function httpExposure(ir: IR): HttpExposure {
  return {
    accepted: ir.events.filter((event) => event.http).map((event) => event.type),
    refused: ir.events
      .filter((event) => !event.http)
      .map((event) => ({ type: event.type, emittedBy: event.emittedBy })),
  };
}

/** One line: "HTTP accepts a.b, c.d; not e.f (emitted by mailer: `http: true` accepts it)". */
export function httpExposureLine(exposure: HttpExposure): string {
  const accepted = exposure.accepted.length > 0 ? exposure.accepted.join(", ") : "no event";
  const refused = exposure.refused.map(({ type, emittedBy }) =>
    emittedBy.length > 0
      ? `${type} (emitted by ${emittedBy.join(", ")}: \`http: true\` accepts it)`
      : `${type} (http: false)`,
  );
  return `HTTP (POST /events) accepts ${accepted}${refused.length > 0 ? `; not ${refused.join(", ")}` : ""}`;
}
