// The commit stage on a real directory: what it writes, keeps, deletes and refuses.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyCommit, planCommit } from "../../src/commit/changes.js";
import { ProjectDir } from "../../src/commit/disk.js";
import { emptyManifest, MANIFEST_PATH, parseManifest, type Manifest } from "../../src/commit/manifest.js";
import { PathError } from "../../src/commit/paths.js";
import { isUpToDate } from "../../src/commit/up-to-date.js";
import type { OutputFile, Owner } from "../../src/plan/types.js";
import { uniqueName } from "../support/brokers.js";
import { REPO_ROOT } from "../support/project.js";

let root: string;
beforeEach(() => {
  root = join(REPO_ROOT, "test", ".tmp", uniqueName("commit"));
  mkdirSync(root, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const file = (path: string, content: string, owner: Owner = "evgen"): OutputFile => ({
  path,
  owner,
  content,
  sourceHash: "0".repeat(64),
});
const read = (path: string) => readFileSync(join(root, path), "utf8");
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const manifestOnDisk = (): Manifest => parseManifest(read(MANIFEST_PATH));

/**
 * One generate run: plan against the disk and the manifest there, apply when there is no conflict.
 * As in the CLI, the user's files that exist are kept rather than rendered.
 */
function run(files: OutputFile[], force = false) {
  const disk = new ProjectDir(root);
  const text = disk.read(MANIFEST_PATH);
  const isKept = (file: OutputFile) => file.owner === "user" && disk.read(file.path) !== undefined;
  const kept = files.filter(isKept).map((file) => file.path);
  const rendered = files.filter((file) => !isKept(file));
  const manifest = text === undefined ? emptyManifest() : parseManifest(text);
  const plan = planCommit({ files: rendered, kept, inputs: "1".repeat(64), force }, disk, manifest);
  if (plan.conflicts.length === 0) applyCommit(plan, disk);
  return plan;
}

const kinds = (plan: ReturnType<typeof run>) => plan.changes.map((change) => `${change.kind} ${change.path}`);

describe("commit", () => {
  const project = [
    file("src/generated/a.ts", "a\n"),
    file("src/handlers/h.ts", "handler\n", "user"),
    file("package.json", "{}\n", "merge"),
  ];

  it("writes every file and the manifest on the first run, nothing on an unchanged second", () => {
    expect(kinds(run(project))).toEqual([
      `create ${MANIFEST_PATH}`,
      "create package.json",
      "create src/generated/a.ts",
      "create src/handlers/h.ts",
    ]);
    const written = statSync(join(root, "src/generated/a.ts")).mtimeMs;
    expect(run(project).changes).toEqual([]);
    expect(statSync(join(root, "src/generated/a.ts")).mtimeMs).toBe(written);
    expect(Object.keys(manifestOnDisk().files)).toEqual(["package.json", "src/generated/a.ts", "src/handlers/h.ts"]);
  });

  it("rewrites only the generated files whose content changed", () => {
    run([...project, file("src/generated/b.ts", "b\n")]);
    const plan = run([...project, file("src/generated/b.ts", "b2\n")]);
    expect(kinds(plan)).toEqual([`update ${MANIFEST_PATH}`, "update src/generated/b.ts"]);
    expect(read("src/generated/b.ts")).toBe("b2\n");
  });

  it("never touches a user's file once it exists", () => {
    run(project);
    write("src/handlers/h.ts", "my handler\n");
    const plan = run([project[0]!, file("src/handlers/h.ts", "new stub\n", "user"), project[2]!]);
    expect(plan.changes).toEqual([]);
    expect(read("src/handlers/h.ts")).toBe("my handler\n");
  });

  it("refuses a generated file edited by hand, writing nothing, unless forced", () => {
    run(project);
    write("src/generated/a.ts", "edited\n");
    const next = [file("src/generated/a.ts", "a2\n"), project[1]!, file("package.json", '{"x":1}\n', "merge")];
    const refused = run(next);
    expect(refused.conflicts.map((conflict) => conflict.path)).toEqual(["src/generated/a.ts"]);
    expect(read("src/generated/a.ts")).toBe("edited\n");
    expect(read("package.json")).toBe("{}\n");

    expect(run(next, true).conflicts).toEqual([]);
    expect(read("src/generated/a.ts")).toBe("a2\n");
  });

  it("refuses to overwrite a file in the generated folder that evgen did not write", () => {
    write("src/generated/a.ts", "someone else's\n");
    expect(run(project).conflicts).toEqual([expect.objectContaining({ path: "src/generated/a.ts" })]);
    expect(existsSync(join(root, MANIFEST_PATH))).toBe(false);
  });

  it("deletes the generated files the spec no longer needs, and the folders they leave empty", () => {
    run([...project, file("src/generated/consumers/old.ts", "old\n")]);
    write("src/other/keep.ts", "not evgen's\n");
    const plan = run(project);
    expect(kinds(plan)).toEqual([`update ${MANIFEST_PATH}`, "delete src/generated/consumers/old.ts"]);
    expect(existsSync(join(root, "src/generated/consumers"))).toBe(false);
    expect(read("src/generated/a.ts")).toBe("a\n");
    expect(read("src/other/keep.ts")).toBe("not evgen's\n");
  });

  it("keeps a stale generated file that was edited by hand, unless forced", () => {
    run([...project, file("src/generated/old.ts", "old\n")]);
    write("src/generated/old.ts", "edited\n");
    expect(run(project).conflicts).toEqual([expect.objectContaining({ path: "src/generated/old.ts" })]);
    expect(read("src/generated/old.ts")).toBe("edited\n");
    run(project, true);
    expect(existsSync(join(root, "src/generated/old.ts"))).toBe(false);
  });

  it("keeps the user's files of a consumer the spec no longer has", () => {
    run(project);
    run([project[0]!, project[2]!]);
    expect(read("src/handlers/h.ts")).toBe("handler\n");
  });
});

describe("an unchanged project", () => {
  const project = [file("src/generated/a.ts", "a\n"), file("src/handlers/h.ts", "handler\n", "user")];
  const upToDate = (inputs = "1".repeat(64)) => {
    const disk = new ProjectDir(root);
    return isUpToDate(parseManifest(disk.read(MANIFEST_PATH)!), disk, inputs);
  };

  it("is recognised from the manifest when the inputs and the files are as recorded", () => {
    run(project);
    expect(upToDate()).toBe(true);
    write("src/handlers/h.ts", "the user's now\n");
    expect(upToDate()).toBe(true);
  });

  it("is not when the inputs differ, a generated file was edited or a user's file is gone", () => {
    run(project);
    expect(upToDate("2".repeat(64))).toBe(false);
    write("src/generated/a.ts", "edited\n");
    expect(upToDate()).toBe(false);
    run(project, true);
    rmSync(join(root, "src/handlers/h.ts"));
    expect(upToDate()).toBe(false);
  });

  it("lists the user's files that were there before evgen, so that it notices when one goes", () => {
    write("src/handlers/h.ts", "written by the user first\n");
    run(project);
    expect(manifestOnDisk().files["src/handlers/h.ts"]).toEqual({ owner: "user" });
    rmSync(join(root, "src/handlers/h.ts"));
    expect(upToDate()).toBe(false);
    expect(kinds(run(project))).toEqual([`update ${MANIFEST_PATH}`, "create src/handlers/h.ts"]);
  });
});

describe("paths", () => {
  it.each(["../outside.ts", "/etc/passwd", "src/../../x", "src//a.ts", "./a.ts", "a\\b.ts"])("refuses %s", (path) => {
    expect(() => run([file(path, "x")])).toThrow(PathError);
  });

  it("refuses a manifest entry leading out of the project, before touching anything", () => {
    write(
      MANIFEST_PATH,
      JSON.stringify({
        evgen: 1,
        files: { "../victim.ts": { owner: "evgen", sha256: "a".repeat(64), source: "a".repeat(64) } },
      }),
    );
    expect(() => run([file("src/generated/a.ts", "x")])).toThrow(
      /lists "..\/victim.ts", which is not a relative path inside the project/,
    );
    expect(existsSync(join(root, "src"))).toBe(false);
  });

  it("never writes through a link planted where a temporary file might go", () => {
    const outside = join(tmpdir(), uniqueName("evgen-victim"));
    try {
      mkdirSync(join(root, "src", "generated"), { recursive: true });
      // The name the temporary file used to have: the target, the pid, ".tmp".
      symlinkSync(outside, join(root, "src", "generated", `a.ts.evgen-${process.pid}.tmp`));
      run([file("src/generated/a.ts", "generated\n")]);
      expect(existsSync(outside)).toBe(false);
      expect(read("src/generated/a.ts")).toBe("generated\n");
      expect(readdirSync(join(root, "src", "generated")).filter((name) => name.endsWith(".tmp"))).toHaveLength(1);
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it("refuses a generated file or a folder that is a link inside the project, before writing anything", () => {
    write("evgen.yaml", "spec\n");
    mkdirSync(join(root, "src", "generated"), { recursive: true });
    symlinkSync("../../evgen.yaml", join(root, "src", "generated", "b.ts"));
    expect(() => run([file("src/generated/a.ts", "x"), file("src/generated/b.ts", "x")], true)).toThrow(
      /"src\/generated\/b.ts" is a symbolic link/,
    );
    expect(read("evgen.yaml")).toBe("spec\n");
    expect(existsSync(join(root, "src", "generated", "a.ts"))).toBe(false);

    rmSync(join(root, "src"), { recursive: true });
    mkdirSync(join(root, "elsewhere"));
    symlinkSync("elsewhere", join(root, "src"));
    expect(() => run([file("src/generated/a.ts", "x")])).toThrow(/"src" is a symbolic link/);
    expect(readdirSync(join(root, "elsewhere"))).toEqual([]);
  });

  it("refuses to write through a symlink leading out of the project", () => {
    const outside = join(tmpdir(), uniqueName("evgen-outside"));
    mkdirSync(outside);
    try {
      mkdirSync(join(root, "src"), { recursive: true });
      symlinkSync(outside, join(root, "src", "generated"));
      expect(() => run([file("src/generated/a.ts", "x")])).toThrow(PathError);
      expect(existsSync(join(outside, "a.ts"))).toBe(false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
