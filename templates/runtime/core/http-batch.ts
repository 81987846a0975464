// POST /events: a JSON array of { type, data } published as one batch. Every item is checked
// before anything is published, so a refused batch publishes nothing (docs/spec.md, HTTP ingress).
import type { PayloadIssue } from "./errors.js";

/** Events in one POST /events at most: a larger batch is refused with 413. */
export const MAX_BATCH_EVENTS = 100;

export interface BatchItem {
  type: string;
  data: unknown;
}

export type BatchShape =
  { ok: true; items: BatchItem[] } | { ok: false; status: 400 | 413; error: string; issues?: PayloadIssue[] };

/** The items of a batch body, or why it is not one. */
export function batchItems(body: unknown): BatchShape {
  if (!Array.isArray(body)) return { ok: false, status: 400, error: "the body must be a JSON array of { type, data }" };
  if (body.length === 0) return { ok: false, status: 400, error: "the batch is empty" };
  if (body.length > MAX_BATCH_EVENTS) {
    return { ok: false, status: 413, error: `a batch holds at most ${MAX_BATCH_EVENTS} events (got ${body.length})` };
  }
  const issues: PayloadIssue[] = [];
  const items: BatchItem[] = [];
  for (const [index, item] of body.entries()) {
    const record =
      item !== null && typeof item === "object" && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
    const extra = record ? Object.keys(record).filter((key) => key !== "type" && key !== "data") : [];
    if (!record || typeof record.type !== "string" || !Object.hasOwn(record, "data") || extra.length > 0) {
      issues.push({
        path: String(index),
        message:
          extra.length > 0
            ? `unknown key ${extra.map((key) => JSON.stringify(key.slice(0, 64))).join(", ")}: an item is { type, data }`
            : "an item is { type, data }, type a string",
      });
      continue;
    }
    items.push({ type: record.type, data: record.data });
  }
  if (issues.length > 0) return { ok: false, status: 400, error: "the batch has malformed items", issues };
  return { ok: true, items };
}
