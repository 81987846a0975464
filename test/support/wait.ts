// Waiting in tests: a pause, and polling until a condition holds (or a timeout with a message
// that says what never happened).

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `condition` every `intervalMs` until it holds; past `timeoutMs`, rejects with "timed out
 * after … waiting for `what`" (a function is called only then, to describe the state at the time).
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    }
    await sleep(intervalMs);
  }
}
