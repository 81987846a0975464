// The commit stage on a real directory: what it writes, keeps, deletes and refuses.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyCommit, isAsWritten, planCommit } from "../../src/commit/changes.js";
import { ProjectDir } from "../../src/commit/disk.js";
import {
  differsInInputsOnly,
  emptyManifest,
  MANIFEST_PATH,
  parseManifest,
  type Manifest,
} from "../../src/commit/manifest.js";
import { PathError } from "../../src/commit/paths.js";
import { isUpToDate } from "../../src/commit/up-to-date.js";
import { sha256 } from "../../src/format/hash.js";
import type { OutputFile, Owner } from "../../src/plan/types.js";
import { uniqueName } from "../support/brokers.js";
import { REPO_ROOT } from "../support/project.js";

let root: string;
beforeEach(() => {
  root = join(REPO_ROOT, "test", ".tmp", uniqueName("commit"));
  mkdirSync(root, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The source hash stands for the text before formatting: here, the content itself. */
const file = (path: string, content: string, owner: Owner = "evgen"): OutputFile => ({
  path,
  owner,
  content,
  sourceHash: sha256(content),
});
const read = (path: string) => readFileSync(join(root, path), "utf8");
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const manifestOnDisk = (): Manifest => parseManifest(read(MANIFEST_PATH));

/**
 * One generate run: plan against the disk and the manifest there, apply when there is no conflict.
 * As in the CLI, the user's files that exist and were edited are kept rather than rendered.
 */
function run(files: OutputFile[], force = false) {
  const disk = new ProjectDir(root);
  const text = disk.read(MANIFEST_PATH);
  const manifest = text === undefined ? emptyManifest() : parseManifest(text);
  const isKept = (file: OutputFile) =>
    file.owner === "user" &&
    disk.read(file.path) !== undefined &&
    !isAsWritten(disk, file.path, manifest.files[file.path]);
  const kept = files.filter(isKept).map((file) => ({ path: file.path, sourceHash: file.sourceHash }));
  const rendered = files.filter((file) => !isKept(file));
  const plan = planCommit({ files: rendered, kept, inputs: "1".repeat(64), force }, disk, manifest);
  if (plan.conflicts.length === 0) applyCommit(plan, disk);
  return plan;
}

const kinds = (plan: ReturnType<typeof run>) => plan.changes.map((change) => `${change.kind} ${change.path}`);
const warned = (plan: ReturnType<typeof run>) => plan.warnings.map((warning) => warning.path);

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

  it("never touches a user's file once it was edited", () => {
    run(project);
    write("src/handlers/h.ts", "my handler\n");
    const plan = run([project[0]!, file("src/handlers/h.ts", "new stub\n", "user"), project[2]!]);
    expect(kinds(plan)).toEqual([`update ${MANIFEST_PATH}`]);
    expect(read("src/handlers/h.ts")).toBe("my handler\n");
  });

  it("keeps a scaffold that is still what evgen wrote in step with the spec", () => {
    run([...project, file("README.md", "# one consumer\n", "user")]);
    const plan = run([...project, file("README.md", "# two consumers\n", "user")]);
    expect(kinds(plan)).toEqual([`update ${MANIFEST_PATH}`, "update README.md"]);
    expect(read("README.md")).toBe("# two consumers\n");
    expect(plan.warnings).toEqual([]);
  });

  it("keeps an edited scaffold, and says once that it was made from an older spec", () => {
    run([...project, file("README.md", "# one consumer\n", "user")]);
    write("README.md", "# one consumer, and my notes\n");
    expect(run([...project, file("README.md", "# one consumer\n", "user")]).warnings).toEqual([]);

    const changed = [...project, file("README.md", "# two consumers\n", "user")];
    const plan = run(changed);
    expect(warned(plan)).toEqual(["README.md"]);
    expect(plan.warnings[0]!.reason).toMatch(/made from an older spec/);
    expect(read("README.md")).toBe("# one consumer, and my notes\n");
    expect(run(changed).warnings).toEqual([]);
    expect(warned(run([...project, file("README.md", "# three consumers\n", "user")]))).toEqual(["README.md"]);
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

  it("keeps a stale generated file that was edited by hand, even when forced, and warns each time", () => {
    run([...project, file("src/generated/old.ts", "old\n")]);
    write("src/generated/old.ts", "edited\n");
    const plan = run(project);
    expect(plan.conflicts).toEqual([]);
    expect(warned(plan)).toEqual(["src/generated/old.ts"]);
    expect(warned(run(project, true))).toEqual(["src/generated/old.ts"]);
    expect(read("src/generated/old.ts")).toBe("edited\n");
    rmSync(join(root, "src/generated/old.ts"));
    expect(kinds(run(project))).toEqual([`update ${MANIFEST_PATH}`]);
    expect(manifestOnDisk().files["src/generated/old.ts"]).toBeUndefined();
  });

  it("deletes the scaffolds of a removed consumer that are still what evgen wrote", () => {
    const consumer = [file("src/handlers/old.ts", "stub\n", "user"), file("test/old.test.ts", "test\n", "user")];
    run([...project, ...consumer]);
    const plan = run(project);
    expect(kinds(plan)).toEqual([`update ${MANIFEST_PATH}`, "delete src/handlers/old.ts", "delete test/old.test.ts"]);
    expect(existsSync(join(root, "test"))).toBe(false);
    expect(read("src/handlers/h.ts")).toBe("handler\n");
  });

  it("keeps the edited scaffolds of a removed consumer, with a warning naming each", () => {
    const consumer = [file("src/handlers/old.ts", "stub\n", "user"), file("test/old.test.ts", "test\n", "user")];
    run([...project, ...consumer]);
    write("src/handlers/old.ts", "my code\n");
    const plan = run(project);
    expect(kinds(plan)).toEqual([`update ${MANIFEST_PATH}`, "delete test/old.test.ts"]);
    expect(warned(plan)).toEqual(["src/handlers/old.ts"]);
    expect(plan.warnings[0]!.reason).toMatch(/take what you still need from it, then delete it/);
    expect(read("src/handlers/old.ts")).toBe("my code\n");
  });

  it("keeps the user's own files of a removed consumer, which evgen did not write", () => {
    write("src/handlers/old.ts", "written before evgen\n");
    run([...project, file("src/handlers/old.ts", "stub\n", "user")]);
    expect(warned(run(project))).toEqual(["src/handlers/old.ts"]);
    expect(read("src/handlers/old.ts")).toBe("written before evgen\n");
  });
});

describe("a manifest edited by hand", () => {
  const project = [file("src/generated/a.ts", "a\n")];
  const claim = (entries: Record<string, string>) => {
    run(project);
    const manifest = manifestOnDisk();
    for (const [path, text] of Object.entries(entries)) {
      manifest.files[path] = { owner: "evgen", sha256: sha256(text), source: sha256(text) };
    }
    write(MANIFEST_PATH, JSON.stringify(manifest));
  };

  it("cannot make generate delete a file evgen never writes, even with its exact hash", () => {
    write("evgen.yaml", "evgen: 1\n");
    write(".git/HEAD", "ref: refs/heads/main\n");
    write("src/lib/util.ts", "export {};\n");
    write("package.json", "{}\n");
    claim({
      "evgen.yaml": "evgen: 1\n",
      ".git/HEAD": "ref: refs/heads/main\n",
      "src/lib/util.ts": "export {};\n",
      "src/handlers/nested/x.ts": "x\n",
    });
    const plan = run(project, true);
    expect(plan.changes.filter((change) => change.kind === "delete")).toEqual([]);
    expect(read("evgen.yaml")).toBe("evgen: 1\n");
    expect(read(".git/HEAD")).toBe("ref: refs/heads/main\n");
    expect(read("src/lib/util.ts")).toBe("export {};\n");
    expect(Object.keys(manifestOnDisk().files)).toEqual(["src/generated/a.ts"]);
  });

  it("cannot make generate delete a file whose content is not what evgen wrote, even with --force", () => {
    write("src/handlers/mine.ts", "my code\n");
    claim({ "src/handlers/mine.ts": "a stub evgen never wrote\n" });
    const plan = run(project, true);
    expect(plan.changes.filter((change) => change.kind === "delete")).toEqual([]);
    expect(read("src/handlers/mine.ts")).toBe("my code\n");
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

describe("differsInInputsOnly", () => {
  const manifest = (inputs: string, hash: string) =>
    `${JSON.stringify({ evgen: 1, inputs, files: { "src/a.ts": { owner: "evgen", sha256: hash } } }, null, 2)}\n`;
  const [a, b] = ["a".repeat(64), "b".repeat(64)];

  it("is true when only the fingerprint of what wrote the files moved (generate --check ignores it)", () => {
    expect(differsInInputsOnly(manifest(a, a), manifest(b, a))).toBe(true);
  });

  it("is false when a file's record changed, when one side is missing or not JSON", () => {
    expect(differsInInputsOnly(manifest(a, a), manifest(b, b))).toBe(false);
    expect(differsInInputsOnly(manifest(a, a), manifest(a, b))).toBe(false);
    expect(differsInInputsOnly(undefined, manifest(a, a))).toBe(false);
    expect(differsInInputsOnly("{not json", manifest(a, a))).toBe(false);
  });
});
