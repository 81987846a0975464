// The npm tarball carries each example's spec (what `evgen init --example` starts from), and
// nothing else of the example projects but their READMEs (npm packs every README): no handlers,
// no node_modules, no builds.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../support/project.js";
import { npm } from "./support.js";

it("packs examples/<name>/evgen.yaml for every example, and no other file under examples/ but READMEs", async () => {
  const pack = await npm(["pack", "--dry-run", "--json", "--ignore-scripts"], REPO_ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  const [{ files }] = JSON.parse(pack.stdout) as [{ files: Array<{ path: string }> }];
  const examples = files
    .map((file) => file.path)
    .filter((path) => path.startsWith("examples/") && !/^examples\/[^/]+\/README\.md$/.test(path));
  const names = readdirSync(join(REPO_ROOT, "examples"), { withFileTypes: true }).filter((entry) =>
    entry.isDirectory(),
  );
  expect(examples.sort()).toEqual(names.map((entry) => `examples/${entry.name}/evgen.yaml`).sort());
});
