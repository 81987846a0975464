import { DURATION } from "./patterns.js";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "30s" -> 30000; undefined when the text is not `<n>ms|s|m|h|d`. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** 30000 -> "30s", 1500 -> "1500ms": the inverse, as a spec would write it. */
export function durationText(ms: number): string {
  for (const unit of ["h", "m", "s"] as const) {
    const size = UNIT_MS[unit];
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
