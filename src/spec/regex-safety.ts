// Regular expressions from the spec (`pattern`) run in evgen (on defaults, enum and filter values)
// and on every payload the generated service receives. They are compiled with the same flags
// everywhere (PATTERN_FLAGS) and refused when matching can take exponential or polynomial time
// on some input ("catastrophic backtracking"), as recheck finds: a precise checker, automaton-based
// with a fuzzing fallback (https://makenowjust-labs.github.io/recheck/). A refused pattern is never
// run by evgen, so a hostile one cannot hang it either.
import { createRequire } from "node:module";
import { PATTERN_FLAGS } from "./patterns.js";

/** recheck's own deadline; past it the pattern is refused as not shown to be safe. */
const CHECK_TIMEOUT_MS = 5000;

type Recheck = typeof import("recheck");
let recheck: Recheck | undefined;

/** recheck, loaded on the first pattern: most specs have none, and it is large. */
function loadRecheck(): Recheck {
  // recheck's in-process checker: no worker thread, no native binary or JVM started (they are
  // optional), and the same answer on every machine.
  process.env.RECHECK_SYNC_BACKEND ??= "pure";
  return (recheck ??= createRequire(import.meta.url)("recheck") as Recheck);
}

const problems = new Map<string, string | null>();

/** Why `pattern` is refused, or undefined when it is valid and safe to run. Checked once per pattern. */
export function patternProblem(pattern: string): string | undefined {
  let problem = problems.get(pattern);
  if (problem === undefined) {
    problem = findProblem(pattern) ?? null;
    problems.set(pattern, problem);
  }
  return problem ?? undefined;
}

/** The pattern compiled as it runs everywhere, or undefined when it is refused (then it never runs). */
export function safePattern(pattern: string): RegExp | undefined {
  return patternProblem(pattern) === undefined ? new RegExp(pattern, PATTERN_FLAGS) : undefined;
}

function findProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, PATTERN_FLAGS);
  } catch (error) {
    return `pattern is not a valid regular expression: ${(error as Error).message}`;
  }
  const result = loadRecheck().checkSync(pattern, PATTERN_FLAGS, { timeout: CHECK_TIMEOUT_MS });
  switch (result.status) {
    case "safe":
      return undefined;
    case "vulnerable": {
      const { complexity } = result;
      const time = complexity.type === "exponential" ? "exponential" : `polynomial (${complexity.summary})`;
      return `pattern can backtrack catastrophically: matching takes ${time} time on inputs such as ${result.attack.pattern}`;
    }
    case "unknown":
      return `pattern could not be shown to be free of catastrophic backtracking (${result.error.kind})`;
  }
}
