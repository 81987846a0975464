// What a record on a consumer's retry topic must say to be one of its own retry copies, whichever
// Kafka client read it: the attempt of that topic, due within that retry's delay.
import { headerValue, type HeaderMap, type RecordHeaders } from "./headers.js";
import { FAILURE_HEADERS } from "../core/types.js";

// How far apart the clocks of the instance that wrote a retry copy and the one reading it may be.
const CLOCK_SKEW_MS = 10_000;

/** A record of a retry topic as read: its attempt, and when it is due or what is wrong with it. */
export type RetryCopy = { attempt: number; wait: number } | { attempt: 1; problem: string };

const quote = (text: string | undefined) =>
  text === undefined ? "missing" : JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * Reads the failure headers of a record on `retry-<k>`: it holds attempt k and is due within that
 * retry's delay. Anything else was not written by this consumer (a forged or corrupted record) and
 * is invalid, rather than skipping retries or pausing the partition for as long as it says.
 */
export function readRetryCopy(
  headers: RecordHeaders | HeaderMap | undefined,
  k: number,
  delayMs: number,
  now: number,
): RetryCopy {
  const attemptText = headerValue(headers, FAILURE_HEADERS.attempt);
  if (attemptText !== String(k)) {
    return { attempt: 1, problem: `${FAILURE_HEADERS.attempt} is ${quote(attemptText)} on retry topic ${k}, not ${k}` };
  }
  const dueText = headerValue(headers, FAILURE_HEADERS.dueAt);
  const dueAt = dueText !== undefined && /^\d{1,16}$/.test(dueText) ? Number(dueText) : NaN;
  if (Number.isNaN(dueAt)) {
    return { attempt: 1, problem: `${FAILURE_HEADERS.dueAt} is ${quote(dueText)}, not a time in epoch milliseconds` };
  }
  if (dueAt > now + delayMs + CLOCK_SKEW_MS) {
    return {
      attempt: 1,
      problem: `${FAILURE_HEADERS.dueAt} is ${dueAt - now} ms ahead, more than the ${delayMs} ms delay of retry topic ${k} allows`,
    };
  }
  return { attempt: k + 1, wait: dueAt - now };
}
