// The built evgen renders from templates precompiled by `npm run build` (dist/templates.cjs); run
// from src, as the other tests do, it compiles them. Both ways must write the same bytes, and the
// build must hold every template, or runs quietly fall back to the slower compiler.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../src/core.js";
import { REPO_ROOT } from "../support/project.js";

const PRECOMPILED = join(REPO_ROOT, "dist", "templates.cjs");
const BUILT_CORE = join(REPO_ROOT, "dist", "core.js");

function built(): void {
  if (!existsSync(PRECOMPILED) || !existsSync(BUILT_CORE)) throw new Error("dist/ is missing: run `npm run build`");
}

describe("precompiled templates", () => {
  it("hold every template under templates/, as its text is now", () => {
    built();
    const precompiled = createRequire(import.meta.url)(PRECOMPILED) as Record<string, { hash: string }>;
    const folder = join(REPO_ROOT, "templates");
    const templates = readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".hbs"))
      .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join("/"))
      .sort();
    expect(Object.keys(precompiled).sort()).toEqual(templates);
    for (const key of templates) {
      const hash = createHash("sha256")
        .update(readFileSync(join(folder, key), "utf8"))
        .digest("hex");
      expect(precompiled[key]?.hash, key).toBe(hash);
    }
  });

  it.each(["orders", "notifications", "user-analytics"])(
    "render examples/%s as the compiled templates do",
    async (example) => {
      built();
      const specText = readFileSync(join(REPO_ROOT, "examples", example, "evgen.yaml"), "utf8");
      const builtCore = (await import(BUILT_CORE)) as { generate: typeof generate };
      const [fromSource, fromBuild] = await Promise.all([
        generate({ specText, specFile: "evgen.yaml" }),
        builtCore.generate({ specText, specFile: "evgen.yaml" }),
      ]);
      const contents = (result: Awaited<ReturnType<typeof generate>>) =>
        Object.fromEntries(result.files.map((file) => [file.path, file.content]));
      expect(fromBuild.files.length).toBeGreaterThan(20);
      expect(contents(fromBuild)).toEqual(contents(fromSource));
    },
  );
});
