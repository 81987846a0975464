import type { IRRetry } from "./types.js";

/** delaysMs[k-1] = wait before attempt k+1: delay * 2^(k-1) capped by maxDelay, or delay when fixed. */
export function retryDelays(retry: Omit<IRRetry, "delaysMs">): number[] {
  return Array.from({ length: retry.attempts - 1 }, (_, i) =>
    retry.backoff === "fixed" ? retry.delayMs : Math.min(retry.delayMs * 2 ** i, retry.maxDelayMs),
  );
}
