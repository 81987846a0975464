// Command options are checked inside the action: a wrong value is a usage error (exit 2) naming
// the option. The rules are a few functions rather than zod, so that the CLI starts without
// loading zod and answers an unchanged project at once (docs/architecture.md, Speed).
import { UsageError } from "./errors.js";

/** Checks one option's value as commander passes it (undefined when not given); throws a message. */
export type Rule<T> = (value: unknown) => T;

/** The checked options of a command, from its rules. */
export type Options<Rules> = { [K in keyof Rules]: Rules[K] extends Rule<infer T> ? T : never };

class OptionProblem extends Error {}

/** An optional string that is not empty. */
export const text = (): Rule<string | undefined> => (value) => {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new OptionProblem("must not be empty");
  return value;
};

/** An optional string matching `pattern`. */
export const matching =
  (pattern: RegExp, message: string): Rule<string | undefined> =>
  (value) => {
    const given = text()(value);
    if (given !== undefined && !pattern.test(given)) throw new OptionProblem(message);
    return given;
  };

/** One of `values`, or undefined when not given. */
export const oneOf =
  <const V extends string>(values: readonly V[], message = `must be ${values.join(" or ")}`): Rule<V | undefined> =>
  (value) => {
    if (value === undefined) return undefined;
    const found = values.find((candidate) => candidate === value);
    if (found === undefined) throw new OptionProblem(message);
    return found;
  };

/** `rule`'s value, or `fallback` when the option is not given. */
export const or =
  <T>(rule: Rule<T | undefined>, fallback: T): Rule<T> =>
  (value) =>
    rule(value) ?? fallback;

/** A required option (commander already refuses it missing): `rule`'s value. */
export const required =
  <T>(rule: Rule<T | undefined>): Rule<T> =>
  (value) => {
    const given = rule(value);
    if (given === undefined) throw new OptionProblem("is required");
    return given;
  };

/** A switch: true when given. */
export const flag = (): Rule<boolean> => (value) => value === true;

/** A repeatable option: its values, at least `min` of them. */
export const list =
  (min = 0, message = `needs at least ${min} value${min === 1 ? "" : "s"}`): Rule<string[]> =>
  (value) => {
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (values.length < min || !values.every((item) => typeof item === "string")) throw new OptionProblem(message);
    return values as string[];
  };

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The options of a command checked by `rules`; every problem at once as one usage error. */
export function parseOptions<Rules extends Record<string, Rule<unknown>>>(rules: Rules, raw: unknown): Options<Rules> {
  const given = (raw ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const options: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(rules)) {
    try {
      options[key] = rule(given[key]);
    } catch (error) {
      if (!(error instanceof OptionProblem)) throw error;
      problems.push(`${flagName(key)}: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
  return options as Options<Rules>;
}
