// Reconnect pacing for the RabbitMQ transport. Jitter spreads the reconnects of many service
// instances after a broker restart, so they do not all knock at the same moment.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 15_000 };

/** Delay before retry `attempt` (0-based): a random point in the upper half of the capped exponential. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: BackoffOptions): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
