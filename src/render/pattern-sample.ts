// A string that matches a field's `pattern` (and its length bounds), for example payloads: drawn
// by randexp from the pattern itself, deterministically (the same spec gives the same bytes), and
// checked against the pattern as the generated schema compiles it. Undefined when no such string
// is found (randexp does not know every construct, Unicode property escapes among them).
import { createRequire } from "node:module";
import type randexpModule from "randexp";
import { PATTERN_FLAGS } from "../spec/patterns.js";

// randexp's CommonJS module.exports is the class itself; its types describe it as `exports.default`.
// Loaded on first use: only specs with patterns need it.
type RandExpClass = typeof randexpModule.default;
const require = createRequire(import.meta.url);
let randExp: RandExpClass | undefined;
const loadRandExp = (): RandExpClass => (randExp ??= require("randexp") as RandExpClass);

/** Repetitions without an upper bound (`+`, `*`, `{2,}`) repeat at most this often. */
const MAX_REPEAT = 8;
/** Seeded draws tried after the smallest choices, before giving up. */
const DRAWS = 32;

/** A small seeded generator (mulberry32): the same draws on every run and machine. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function patternSample(pattern: string, minLength = 0, maxLength = Infinity): string | undefined {
  let regex: RegExp;
  let generator: InstanceType<RandExpClass>;
  try {
    regex = new RegExp(pattern, PATTERN_FLAGS);
    generator = new (loadRandExp())(regex);
  } catch {
    return undefined;
  }
  generator.max = Math.max(MAX_REPEAT, Number.isFinite(minLength) ? minLength : 0);
  const fits = (value: string) => value.length >= minLength && value.length <= maxLength && regex.test(value);
  // First the smallest choice everywhere (the first alternative, the fewest repetitions, the
  // lowest character of a class): short and readable. Then seeded draws.
  generator.randInt = (low) => low;
  const smallest = safeGen(generator);
  if (smallest !== undefined && fits(smallest)) return smallest;
  for (let draw = 1; draw <= DRAWS; draw++) {
    const random = seeded(draw);
    generator.randInt = (low, high) => low + Math.floor(random() * (high - low + 1));
    const value = safeGen(generator);
    if (value !== undefined && fits(value)) return value;
  }
  return undefined;
}

function safeGen(generator: InstanceType<RandExpClass>): string | undefined {
  try {
    return generator.gen();
  } catch {
    return undefined;
  }
}
