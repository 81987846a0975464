// Turns zod's issues into evgen issues: plain-language messages, "did you mean" for near misses,
// one issue per unknown key, and the line:col of the key or value at fault.
import type * as z from "zod";
import type { Locator } from "../load/locate.js";
import { didYouMean } from "./did-you-mean.js";
import { joinPath, type Issue, type SpecPath } from "../spec/issue.js";
import { FIELD_TYPE_KEYWORDS, NOT_A_FIELD_TYPE, fieldObject } from "../spec/schema/field-type.js";

type ZodIssue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

interface Context {
  file: string;
  locator: Locator;
  root: Schema;
}

export function fromZodIssues(issues: readonly ZodIssue[], ctx: Context, prefix: SpecPath = []): Issue[] {
  return issues.flatMap((issue) => convert(issue, ctx, [...prefix, ...(issue.path as PropertyKey[]).map(segment)]));
}

function convert(issue: ZodIssue, ctx: Context, path: SpecPath): Issue[] {
  const at = (where: "key" | "value", message: string, hint?: string, issuePath = path): Issue => ({
    severity: "error",
    file: ctx.file,
    ...ctx.locator[where](issuePath),
    path: joinPath(issuePath),
    message,
    ...(hint ? { hint } : {}),
  });
  const input = (issue as { input?: unknown }).input;

  if (typeof input === "number" && !Number.isFinite(input))
    return [at("value", `numbers must be finite, got ${input}`)];
  if (input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
    // About the mapping that lacks the key: "consumers.mailer: 'on' is required".
    return [at("key", `'${String(path.at(-1))}' is required`, undefined, path.slice(0, -1))];
  }
  switch (issue.code) {
    case "invalid_union": {
      const branch = matchingBranch(issue.errors);
      if (branch) return fromZodIssues(branch, ctx, path);
      const expected = [...new Set(issue.errors.flat().map((e) => expectedName(e)))].join(" or ");
      const message =
        issue.message !== "Invalid input" ? issue.message : `expected ${expected}, got ${describe(input)}`;
      return [at("value", message)];
    }
    case "invalid_key":
      return issue.issues.map((inner) => at("key", inner.message));
    case "unrecognized_keys":
      return unknownKeys(issue.keys, input, ctx, path, at);
    case "invalid_type":
      if (issue.expected === "int" && typeof input === "number")
        return [at("value", `must be a whole number, got ${input}`)];
      return [at("value", `expected ${expectedName(issue)}, got ${describe(input)}`)];
    case "invalid_value": {
      const values = issue.values.map((v) => String(v));
      const message = values.length === 1 ? `must be ${values[0]}` : `must be one of: ${values.join(", ")}`;
      const hint = typeof input === "string" ? didYouMean(input, values) : undefined;
      return [at("value", `${message} (got ${describe(input)})`, hint)];
    }
    case "too_small":
    case "too_big":
      return [at("value", boundMessage(issue))];
    case "custom": {
      const params = issue.params as { at?: "key"; hint?: string } | undefined;
      return [at(params?.at ?? "value", issue.message, params?.hint)];
    }
    default:
      return [at("value", issue.message)];
  }
}

/** A branch refusing the value itself for its kind: a mapping where it takes a name from a list, say. */
function wrongKind(issue: ZodIssue): boolean {
  if (issue.path.length > 0) return false;
  const input = (issue as { input?: unknown }).input;
  return (
    issue.code === "invalid_type" || (issue.code === "invalid_value" && typeof input === "object" && input !== null)
  );
}

/** The one union branch whose failure is about the content rather than the kind of value. */
function matchingBranch(branches: ZodIssue[][]): ZodIssue[] | undefined {
  const relevant = branches.filter((issues) => !issues.every(wrongKind));
  return relevant.length === 0 ? undefined : relevant.reduce((a, b) => (b.length < a.length ? b : a));
}

function unknownKeys(
  keys: string[],
  input: unknown,
  ctx: Context,
  path: SpecPath,
  at: (where: "key" | "value", message: string, hint?: string, issuePath?: SpecPath) => Issue,
): Issue[] {
  const objects = objectsAt(ctx.root, path);
  const isFieldObject = objects.includes(fieldObject as Schema);
  if (isFieldObject && !FIELD_TYPE_KEYWORDS.some((k) => Object.hasOwn(input as object, k))) {
    return [at("value", NOT_A_FIELD_TYPE.message, NOT_A_FIELD_TYPE.hint)];
  }
  const known = objects.flatMap((o) => Object.keys(defOf(o).shape ?? {}));
  return keys.map((key) => at("key", `unknown key '${key}'`, didYouMean(key, known), [...path, key]));
}

interface AnyDef {
  type: string;
  shape?: Record<string, Schema>;
  valueType?: Schema;
  element?: Schema;
  innerType?: Schema;
  in?: Schema;
  options?: Schema[];
  getter?: () => Schema;
}

const defOf = (schema: Schema): AnyDef => schema._zod.def as unknown as AnyDef;

/** The object schemas that can describe the value at path (several under a union). */
function objectsAt(schema: Schema, path: SpecPath): Schema[] {
  const def = defOf(schema);
  const [head, ...rest] = path;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      return objectsAt(def.innerType!, path);
    case "pipe":
      return objectsAt(def.in!, path);
    case "lazy":
      return objectsAt(def.getter!(), path);
    case "union":
      return def.options!.flatMap((option) => objectsAt(option, path));
    case "object": {
      if (head === undefined) return [schema];
      const next = def.shape![String(head)];
      return next ? objectsAt(next, rest) : [];
    }
    case "record":
      return head === undefined ? [] : objectsAt(def.valueType!, rest);
    case "array":
      return head === undefined ? [] : objectsAt(def.element!, rest);
    default:
      return [];
  }
}

const EXPECTED_NAMES: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  null: "null",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

function expectedName(issue: ZodIssue): string {
  const expected = (issue as { expected?: string }).expected;
  return expected === undefined ? "something else" : (EXPECTED_NAMES[expected] ?? expected);
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return "nothing";
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  return "a mapping";
}

function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  if (!issue.message.startsWith("Too ")) return issue.message; // a message written in the schema
  const word = small
    ? issue.inclusive === false
      ? "more than"
      : "at least"
    : issue.inclusive === false
      ? "less than"
      : "at most";
  switch (issue.origin) {
    case "array":
      if (small && limit === 1) return "must not be empty";
      return `needs ${word} ${limit} item${limit === 1 ? "" : "s"}`;
    case "string":
      if (small && limit === 1) return "must not be empty";
      return `must have ${word} ${limit} characters`;
    default:
      return `must be ${word} ${limit}`;
  }
}

function segment(key: PropertyKey): string | number {
  return typeof key === "symbol" ? String(key) : key;
}
