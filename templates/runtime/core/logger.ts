// Structured JSON logs (pino). Secrets are redacted by key wherever they appear in a log object.
// Lines go to stdout synchronously: a line is handed to the operating system before the log call
// returns, so a process killed with SIGKILL (or exiting at once) loses none it had logged. pino's
// default buffers lines in the process and writes them later, which lost thousands on kill -9.
import { writeSync } from "node:fs";
import pino from "pino";
import type { Logger } from "./types.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const REDACTED_KEYS = ["password", "token", "authorization", "apiToken", "secret"];

export function createLogger(
  options: { level?: LogLevel; name?: string; destination?: pino.DestinationStream } = {},
): pino.Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? "info",
      redact: {
        paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`)],
        censor: "[redacted]",
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? new SyncLines(1),
  );
}

/**
 * Writes each line to a file descriptor before returning. stdout is often a non-blocking pipe: when
 * its reader lags and the pipe is full (EAGAIN), the write is tried again a millisecond later, so a
 * slow reader slows logging down rather than making the process hold lines it could lose. (pino's
 * own synchronous destination waits 100 ms each time.) A reader that is gone (EPIPE) gets nothing.
 */
export class SyncLines implements pino.DestinationStream {
  private static readonly pause = new Int32Array(new SharedArrayBuffer(4));

  constructor(private readonly fd: number) {}

  write(line: string): void {
    let rest = Buffer.from(line);
    while (rest.length > 0) {
      try {
        rest = rest.subarray(writeSync(this.fd, rest));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") return;
        Atomics.wait(SyncLines.pause, 0, 0, 1);
      }
    }
  }
}

/** A logger that writes nothing (tests, harness). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

/** `log` with `bindings` on every line; works for loggers without `child` too. */
export function childLogger(log: Logger, bindings: Record<string, unknown>): Logger {
  if (log.child) return log.child(bindings);
  const bind =
    (write: (obj: object, msg?: string) => void) =>
    (obj: object, msg?: string): void =>
      write.call(log, { ...bindings, ...obj }, msg);
  return {
    debug: bind(log.debug),
    info: bind(log.info),
    warn: bind(log.warn),
    error: bind(log.error),
    child: (more) => childLogger(log, { ...bindings, ...more }),
  };
}

/** False only when the logger says the level is off (loggers without levels write everything). */
export function isLevelEnabled(log: Logger, level: "debug" | "info"): boolean {
  const check = (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return check ? check.call(log, level) : true;
}
