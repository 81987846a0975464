// One timer for all handler deadlines of a consumer: runs expire in start order, finished runs
// never expire, and nothing is left pending once every run is done.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Deadlines } from "../../templates/runtime/core/deadlines.js";
import { sleep } from "../support/wait.js";

describe("handler deadlines", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // On a mocked clock: the order of expiry is the point here, and a busy machine must not move it.
  it("expires only the runs still going at their deadline, oldest first", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const deadlines = new Deadlines(40);
    const expired: string[] = [];
    const a = deadlines.start(() => expired.push("a"));
    await vi.advanceTimersByTimeAsync(15);
    const b = deadlines.start(() => expired.push("b"));
    const c = deadlines.start(() => expired.push("c"));
    deadlines.finish(a);
    expect(deadlines.pending).toBe(2);

    await vi.advanceTimersByTimeAsync(35); // a's deadline passed, but a finished; b and c are not due yet
    expect(expired).toEqual([]);
    deadlines.finish(c);
    await vi.advanceTimersByTimeAsync(30);
    expect(expired).toEqual(["b"]);
    expect(b.done).toBe(true);
    expect(deadlines.pending).toBe(0);
  });

  it("expires no earlier than the timeout after the run started", async () => {
    const deadlines = new Deadlines(30);
    const started = performance.now();
    const at = await new Promise<number>((resolve) => deadlines.start(() => resolve(performance.now())));
    expect(at - started).toBeGreaterThanOrEqual(29);
  });

  it("expires a stuck run among thousands of short ones, and none of the short ones", async () => {
    const deadlines = new Deadlines(50);
    let expired = 0;
    const stuck = deadlines.start(() => expired++);
    for (let i = 0; i < 5000; i++) deadlines.finish(deadlines.start(() => expired++));
    expect(deadlines.pending).toBe(1);
    await sleep(70);
    expect(expired).toBe(1);
    expect(stuck.done).toBe(true);
    for (let i = 0; i < 5000; i++) deadlines.finish(deadlines.start(() => expired++));
    expect(deadlines.pending).toBe(0);
    await sleep(70);
    expect(expired).toBe(1);
  });
});
