import { createHash } from "node:crypto";

/** Hex sha256 of a text's UTF-8 bytes: the manifest's hashes and the format cache's keys. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
