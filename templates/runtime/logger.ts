// Structured JSON logs (pino). Secrets are redacted by key wherever they appear in a log object.
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
    options.destination,
  );
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
