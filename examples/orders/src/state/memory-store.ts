// The state store in one process's memory. A change is synchronous, so it runs atomically.
import type { Json, StateStore } from "./store.js";

export function createMemoryStateStore(): StateStore {
  const documents = new Map<string, Json>();
  const id = (namespace: string, key: string) => `${namespace}\u0000${key}`;
  // Copies in and out: a caller that mutates what it got cannot change the store behind its back.
  const copy = <T extends Json | undefined>(value: T): T =>
    value === undefined ? value : structuredClone(value);
  return {
    async update(namespace, keys, change) {
      const current = Object.fromEntries(
        keys.map((key) => [key, copy(documents.get(id(namespace, key)))]),
      );
      const { writes, result } = change(current);
      for (const [key, value] of Object.entries(writes))
        documents.set(id(namespace, key), copy(value));
      return result;
    },
    async get(namespace, key) {
      return copy(documents.get(id(namespace, key)));
    },
    async close() {},
  };
}
