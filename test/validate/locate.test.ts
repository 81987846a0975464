// Spec paths -> line:col: what every issue position is computed from.
import { describe, expect, it } from "vitest";
import { loadYaml } from "../../src/load/yaml.js";
import type { SpecPath } from "../../src/spec/issue.js";
import { yaml } from "./helpers.js";

const text = yaml`
  service: shop
  events:
    order.shipped:
      versions:
        1: { orderId: uuid }
  consumers:
    mailer:
      on: [a.b, c.d]
      retry:
      description: &text hello
    copy: *text
`;
const loaded = loadYaml(text, "evgen.yaml");
if (!loaded.ok) throw new Error("fixture must parse");
const { locator } = loaded;

describe("locate", () => {
  it.each<[string, SpecPath, "key" | "value", string]>([
    ["a top-level value", ["service"], "value", "1:10"],
    ["a top-level key", ["service"], "key", "1:1"],
    ["a numeric key", ["events", "order.shipped", "versions", "1"], "key", "5:7"],
    ["a value in a flow mapping", ["events", "order.shipped", "versions", "1", "orderId"], "value", "5:21"],
    ["a list item", ["consumers", "mailer", "on", 1], "value", "8:15"],
    ["an empty value: its key", ["consumers", "mailer", "retry"], "value", "9:5"],
    ["a missing key: its parent's key", ["consumers", "mailer", "retry", "delay"], "key", "9:5"],
    ["a missing entry: the deepest existing key", ["consumers", "nobody", "on"], "value", "6:1"],
    ["the whole document", [], "value", "1:1"],
  ])("%s", (_, path, where, expected) => {
    const { line, col } = locator[where](path);
    expect(`${line}:${col}`).toBe(expected);
  });

  it("reads values through aliases", () => {
    expect(loaded.value).toMatchObject({ consumers: { copy: "hello" } });
  });
});
