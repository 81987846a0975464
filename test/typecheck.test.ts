// The type-level guarantees of the tests (every `@ts-expect-error` in handlers-types.test.ts must
// be an error) hold only if `tsc --noEmit` checks the test files and `npm test` runs it.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/project.js";

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === ".tmp" || entry.name === "__golden__" ? [] : testSources(path);
    return entry.name.endsWith(".ts") ? [relative(REPO_ROOT, path)] : [];
  });
}

describe("type checking of the tests", () => {
  it("tsconfig.json takes in every TypeScript file under test/", () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(REPO_ROOT, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
        },
      },
    );
    const checked = new Set(parsed!.fileNames.map((file) => relative(REPO_ROOT, file)));
    const sources = testSources(join(REPO_ROOT, "test"));
    expect(sources).toContain(join("test", "runtime", "handlers-types.test.ts"));
    expect(sources.filter((file) => !checked.has(file))).toEqual([]);
  });

  it("npm test type-checks before it runs anything", () => {
    const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts.typecheck).toBe("tsc --noEmit");
    expect(scripts.pretest).toMatch(/(^|&& )npm run typecheck( &&|$)/);
  });
});
