// The imported spec as YAML text: block style for sections, flow style for field objects and
// lists of values, the modeline first.
import { Document, isScalar, visit } from "yaml";
import { BROKER_NAMES } from "../../spec/schema/brokers.js";
import { MODELINE } from "../../spec/modeline.js";
import type { Obj } from "./json.js";

const FIELD_KEYS = ["type", "$ref", "enum", "const", "oneOf", "anyOf"];

export function renderSpec(spec: Obj, sourceName: string | undefined): string {
  // Shared objects (the any-value union) are printed in full, not as YAML anchors and aliases.
  const document = new Document(spec, { aliasDuplicateObjects: false });
  for (const section of [...BROKER_NAMES, "types", "events", "consumers"]) {
    const node = document.get(section, true);
    if (node === undefined) continue;
    visit(node as Parameters<typeof visit>[0], {
      Seq(_, seq) {
        if (seq.items.every((item) => isScalar(item))) seq.flow = true;
      },
      Map(_, map) {
        if (section === "consumers") return;
        const keys = map.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ""));
        if (keys.some((k) => FIELD_KEYS.includes(k))) map.flow = true;
      },
    });
  }
  const body = document.toString({ lineWidth: 0, flowCollectionPadding: false });
  const header =
    sourceName === undefined
      ? ""
      : `# Imported from ${sourceName.replace(/[\r\n]+/g, " ")} by \`evgen import asyncapi\`.\n`;
  return `${MODELINE}\n${header}${body}`;
}
