// evgen's own files that generation reads: templates, runtime modules and the dependency versions
// in evgen's package.json, and a fingerprint of them all with evgen's code. They ship with evgen,
// so reading them is part of the program, not of the user's project; each is read once per process.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** evgen's code: src (tests) or dist (built). */
const code = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The package root: src/render (tests) and dist/render (built) are both two levels down. */
const root = join(code, "..");

/** A template's text, and its path under templates/ ("common/events.ts.hbs"): the key of its precompiled copy. */
export interface TemplateSource {
  key: string;
  text: string;
}

/** The templates precompiled by `npm run build` (src/render/compiled-templates.ts); absent in src/. */
export const PRECOMPILED_TEMPLATES = join(code, "templates.cjs");

const templates = new Map<string, TemplateSource>();

/** A template: templates/<broker>/<name> where the broker needs its own, else templates/common/<name>. */
export function readTemplate(broker: string, name: string): TemplateSource {
  const cacheKey = `${broker}/${name}`;
  let source = templates.get(cacheKey);
  if (source === undefined) {
    const key = existsSync(join(root, "templates", broker, name)) ? `${broker}/${name}` : `common/${name}`;
    source = { key, text: readFileSync(join(root, "templates", key), "utf8") };
    templates.set(cacheKey, source);
  }
  return source;
}

/**
 * The broker's partials: every `templates/<broker>/<name>.*.hbs` other than a whole template,
 * by name (`compose-service.yml.hbs` is `{{> compose-service}}`). Common templates include them
 * where the broker adds its own lines; a partial a broker lacks prints nothing.
 */
export function readBrokerPartials(broker: string): Record<string, TemplateSource> {
  const folder = join(root, "templates", broker);
  const partials: Record<string, TemplateSource> = Object.fromEntries(
    PARTIALS.map((name) => [name, { key: `${broker}/${name}`, text: "" }]),
  );
  for (const file of readdirSync(folder)) {
    const name = file.slice(0, file.indexOf("."));
    if (Object.hasOwn(partials, name)) {
      partials[name] = { key: `${broker}/${file}`, text: readFileSync(join(folder, file), "utf8") };
    }
  }
  return partials;
}

/** The partials common templates include (templates/common/*.hbs: `{{> name}}`). */
const PARTIALS = ["compose-service", "compose-environment", "env-settings", "readme-running", "readme-spec-changes"];

/** A runtime module (templates/runtime/<file>), copied into generated projects as it is. */
export function readRuntimeFile(file: string): string {
  return readFileSync(join(root, "templates", "runtime", file), "utf8");
}

/** examples/<name>/evgen.yaml, a starting point for `evgen init --example`. */
export function readExampleSpec(name: string): string {
  return readFileSync(join(root, "examples", name, "evgen.yaml"), "utf8");
}

let runtimeFiles: string[] | undefined;

/** Files under templates/runtime, as paths relative to it ("core/pipeline.ts"), sorted. */
export function listRuntimeFiles(): string[] {
  runtimeFiles ??= readdirSync(join(root, "templates", "runtime"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      relative(join(root, "templates", "runtime"), join(entry.parentPath, entry.name))
        .split(sep)
        .join("/"),
    )
    .sort();
  return runtimeFiles;
}

export interface EvgenPackage {
  version: string;
  /** Every dependency and devDependency of evgen, by name: the versions generated projects pin. */
  versions: Record<string, string>;
  /** evgen's npm `overrides`: they make its pinned tree install with `npm ci`, in projects too. */
  overrides: Record<string, string>;
}

let evgenPackage: EvgenPackage | undefined;

export function readEvgenPackage(): EvgenPackage {
  if (!evgenPackage) {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      version: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      overrides?: Record<string, string>;
    };
    evgenPackage = {
      version: pkg.version,
      versions: { ...pkg.devDependencies, ...pkg.dependencies },
      overrides: { ...pkg.overrides },
    };
  }
  return evgenPackage;
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

let fingerprint: string | undefined;

/**
 * A hash of everything of evgen's own that generated files depend on: its code, templates and
 * package.json (its version and the versions it pins, prettier's among them).
 */
export function evgenFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash("sha256");
    // Source maps (dist/**/*.map) change nothing evgen writes. Run from its bundle (bin/evgen.js),
    // evgen's code is the bundle and the precompiled templates; tsc's modules beside them only serve tests.
    const running = dirname(fileURLToPath(import.meta.url));
    const ownCode = basename(running) === "bundle" ? [...filesUnder(running), PRECOMPILED_TEMPLATES] : filesUnder(code);
    const files = [...ownCode, ...filesUnder(join(root, "templates"))].filter((file) => !file.endsWith(".map"));
    for (const file of files.sort()) {
      hash
        .update(`${relative(root, file)}\0`)
        .update(readFileSync(file))
        .update("\0");
    }
    fingerprint = hash.update(readFileSync(join(root, "package.json"))).digest("hex");
  }
  return fingerprint;
}
