// Handler timeouts of one consumer on one timer. Every run of a consumer has the same timeout, so
// runs expire in the order they started: the timer only ever waits for the oldest run still going.
// A timer per run (set, then cleared) cost more than a fast handler itself.

export interface Deadline {
  readonly at: number;
  readonly expire: () => void;
  done: boolean;
}

export class Deadlines {
  /** Runs in start order; entries before `head` are finished and waiting to be dropped. */
  private runs: Deadline[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;
  private armedFor = Infinity;

  constructor(private readonly timeoutMs: number) {}

  /** Calls `expire` once the run is older than the timeout, unless `finish` came first. */
  start(expire: () => void): Deadline {
    const run: Deadline = { at: performance.now() + this.timeoutMs, expire, done: false };
    if (this.runs.length === this.head) this.timer?.ref();
    this.runs.push(run);
    if (this.armedFor === Infinity) this.arm(run.at);
    return run;
  }

  finish(run: Deadline): void {
    run.done = true;
    this.dropFinished();
  }

  /** In flight, for tests: runs started and neither finished nor expired. */
  get pending(): number {
    let count = 0;
    for (let i = this.head; i < this.runs.length; i++) if (!this.runs[i]!.done) count++;
    return count;
  }

  private dropFinished(): void {
    while (this.head < this.runs.length && this.runs[this.head]!.done) this.head++;
    if (this.head === this.runs.length) {
      this.runs.length = 0;
      this.head = 0;
      this.timer?.unref();
    } else if (this.head > 1024 && this.head * 2 > this.runs.length) {
      this.runs = this.runs.slice(this.head);
      this.head = 0;
    }
  }

  // The timer stays armed when its run finishes early: firing then only re-arms it for the oldest
  // run left, at most once per timeout, instead of a clear and a set for every run. With no run
  // left it no longer holds the process open.
  private arm(at: number): void {
    this.armedFor = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - performance.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = performance.now();
    this.dropFinished();
    while (this.head < this.runs.length) {
      const run = this.runs[this.head]!;
      if (!run.done) {
        if (run.at > now) break;
        run.done = true;
        run.expire();
      }
      this.head++;
    }
    this.dropFinished();
    const oldest = this.runs[this.head];
    if (oldest) this.arm(oldest.at);
  }
}
