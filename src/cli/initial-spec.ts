// The evgen.yaml that `evgen init` writes: the blank starting spec, or an example adapted to the
// chosen service name and broker with its comments kept.
import { isMap, isScalar, parseDocument, type Document } from "yaml";
import { allBrokers } from "../broker/index.js";
import { formatText } from "../format/format.js";
import { readExampleSpec } from "../render/assets.js";
import { renderTemplate } from "../render/render.js";
import { MODELINE } from "../spec/modeline.js";

import type { Broker, Example } from "./examples.js";

export { EXAMPLES } from "./examples.js";

/** Keys of each map entry under `section`, e.g. every event's type. */
function entryKeys(document: Document, section: string): unknown[] {
  const map = document.get(section);
  return isMap(map) ? map.items.map((pair) => (isScalar(pair.key) ? pair.key.value : pair.key)) : [];
}

/** Drops what only the other brokers read (their settings and keys), which the spec rejects for this one. */
function adaptToBroker(document: Document, broker: Broker): void {
  for (const other of allBrokers().filter((descriptor) => descriptor.name !== broker)) {
    document.delete(other.name);
    const keyPaths = (section: string, keys: string[]) =>
      entryKeys(document, section).flatMap((entry) => keys.map((key) => [section, entry, ...key.split(".")]));
    const foreign = [...keyPaths("events", other.ownKeys.event), ...keyPaths("consumers", other.ownKeys.consumer)];
    for (const path of foreign) if (document.hasIn(path)) document.deleteIn(path);
  }
}

export async function initialSpec(service: string, broker: Broker, example: Example | undefined): Promise<string> {
  if (example === undefined) return renderTemplate(broker, "evgen.yaml.hbs", { service, broker });
  const document = parseDocument(readExampleSpec(example));
  document.set("service", service);
  document.set("broker", broker);
  adaptToBroker(document, broker);
  // The yaml library pads flow sequences ("[ a ]"); prettier lays it out as the examples are.
  const text = await formatText("evgen.yaml", document.toString());
  return text.startsWith(MODELINE) ? text : `${MODELINE}\n${text}`;
}
