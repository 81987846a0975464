// The small functions every derived name and delay comes from.
import { describe, expect, it } from "vitest";
import { breakingChanges, typeSignature } from "../../src/ir/compat.js";
import { retryDelays } from "../../src/ir/delays.js";
import { toIRFields } from "../../src/ir/field-type.js";
import { camelCase, consumerIdent, docComment, pascalCase, schemaNameOf } from "../../src/ir/names.js";

describe("names", () => {
  it.each([
    ["order.created", "OrderCreated", "orderCreated"],
    ["payment.auth-failed", "PaymentAuthFailed", "paymentAuthFailed"],
    ["user.login-2fa", "UserLogin2fa", "userLogin2fa"],
    ["send-confirmation", "SendConfirmation", "sendConfirmation"],
  ])("%s -> %s / %s", (text, pascal, camel) => {
    expect(pascalCase(text)).toBe(pascal);
    expect(camelCase(text)).toBe(camel);
  });

  it("names schemas after their types", () => {
    expect(schemaNameOf("LineItem")).toBe("lineItemSchema");
    expect(schemaNameOf("OrderCreatedV2")).toBe("orderCreatedV2Schema");
  });

  it("keeps consumer identifiers clear of reserved words", () => {
    expect(consumerIdent("mailer")).toBe("mailer");
    expect(consumerIdent("delete")).toBe("deleteConsumer");
    expect(consumerIdent("default")).toBe("defaultConsumer");
  });

  it("escapes every comment terminator", () => {
    expect(docComment("a */ b */")).toBe("a *\\/ b *\\/");
  });
});

describe("retry delays", () => {
  const policy = { attempts: 6, delayMs: 1000, maxDelayMs: 10_000, mode: "non-blocking" as const };
  it.each([
    ["exponential", { ...policy, backoff: "exponential" as const }, [1000, 2000, 4000, 8000, 10_000]],
    ["fixed", { ...policy, backoff: "fixed" as const }, [1000, 1000, 1000, 1000, 1000]],
    ["one attempt", { ...policy, attempts: 1, backoff: "exponential" as const }, []],
    ["huge attempt counts stay capped", { ...policy, attempts: 100, backoff: "exponential" as const }, null],
  ])("%s", (_, retry, expected) => {
    const delays = retryDelays(retry);
    if (expected) expect(delays).toEqual(expected);
    else expect(delays.at(-1)).toBe(10_000);
    expect(delays).toHaveLength(retry.attempts - 1);
  });
});

describe("breaking changes", () => {
  it.each([
    ["a field removed", { a: "string", b: "string" }, { a: "string" }, ["field 'b' was removed"]],
    ["a field made required", { "a?": "string" }, { a: "string" }, ["field 'a' was made required"]],
    ["a type changed", { a: "number" }, { a: "integer" }, ["field 'a' changed type from number to integer"]],
    [
      "an enum narrowed",
      { a: { enum: ["x", "y"] } },
      { a: { enum: ["x"] } },
      ['field \'a\' changed type from "x" | "y" to "x"'],
    ],
    ["an optional field added", { a: "string" }, { a: "string", "b?": "url" }, []],
    ["a field made optional", { a: "string" }, { "a?": "string" }, []],
    ["only a description changed", { a: "string" }, { a: { type: "string", description: "A" } }, []],
  ])("%s", (_, before, after, expected) => {
    const changes = breakingChanges(toIRFields(before as never), toIRFields(after as never));
    expect(changes.map((c) => c.message)).toEqual(expected);
  });

  it("summarizes nested types readably", () => {
    const [field] = toIRFields({
      pos: { type: ["object", "null"], properties: { x: "integer", tags: "string[]" }, required: ["x"] },
    });
    expect(typeSignature(field!.type)).toBe("{ x: integer; tags?: string[] } | null");
  });
});
