// Command options are checked with zod inside the action: a wrong value is a usage error (exit 2)
// naming the option.
import type { z } from "zod";
import { UsageError } from "./errors.js";

const flag = (key: PropertyKey) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.map((issue) => {
    const [option] = issue.path;
    return option === undefined ? issue.message : `${flag(option)}: ${issue.message}`;
  });
  throw new UsageError(messages.join("\n"));
}
