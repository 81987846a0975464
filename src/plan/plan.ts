// The file list of a generated project, each file with its owner (see types.ts), sorted by path.
import type { IR } from "../ir/types.js";
import { GENERATED_DIR, SCAFFOLDS } from "./layout.js";
import { selectRuntimeFiles } from "./runtime-files.js";
import type { Owner, PlannedFile } from "./types.js";

const generated = (path: string, template: string): PlannedFile => ({
  path: `${GENERATED_DIR}${path}`,
  owner: "evgen",
  source: { kind: "template", template },
});

const scaffold = (path: string, template: string): PlannedFile => ({
  path,
  owner: "user",
  source: { kind: "template", template },
});

export function planProject(ir: IR, runtimeFiles: readonly string[]): PlannedFile[] {
  const files: PlannedFile[] = [
    generated("events.ts", "events.ts.hbs"),
    generated("service-def.ts", "service-def.ts.hbs"),
    generated("index.ts", "index.ts.hbs"),
    generated("transport.ts", "transport.ts.hbs"),
    generated("testing.ts", "testing.ts.hbs"),
    generated("main.ts", "main.ts.hbs"),
    generated("dlq.ts", "dlq.ts.hbs"),
    ...selectRuntimeFiles(ir, runtimeFiles).map((file): PlannedFile => ({
      path: `${GENERATED_DIR}runtime/${file}`,
      owner: "evgen",
      source: { kind: "runtime", file },
    })),
    ...Object.entries(SCAFFOLDS).map(([path, template]) => scaffold(path, template)),
    { path: "package.json", owner: "merge", source: { kind: "package-json" } },
  ];
  for (const { name, files: paths } of ir.consumers) {
    const ofConsumer = (path: string, owner: Owner, template: string): PlannedFile => ({
      path,
      owner,
      source: { kind: "consumer-template", template, consumer: name },
    });
    files.push(
      ofConsumer(paths.generated, "evgen", "consumer.ts.hbs"),
      ofConsumer(paths.handler, "user", "handler.ts.hbs"),
      ofConsumer(paths.test, "user", "handler.test.ts.hbs"),
    );
  }
  return byPath(files);
}

/** Sorts in place by path, in code-unit order (the same on every machine, unlike localeCompare). */
export function byPath<T extends { path: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
