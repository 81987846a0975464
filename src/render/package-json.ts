// The generated package.json is shared with the user: evgen keeps the dependencies and dev
// dependencies it needs at the versions it was built and tested with (its own package.json),
// makes the package ESM (the generated code is), adds the scripts it documents where the user has
// none of that name, and leaves every other key, dependency and script as the user wrote it.
// evgen's `overrides` go along: vite 8.4.0 (vitest's dependency) lists an optional dependency
// the registry does not have, which `npm install` leaves out of the lock file and npm 11's
// `npm ci` then reports as missing; the override pins a vite whose dependencies all exist.
import { brokerOf } from "../broker/index.js";
import type { IR } from "../ir/types.js";
import type { EvgenPackage } from "./assets.js";

type Json = Record<string, unknown>;

export interface ManagedKeys {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
  overrides: Record<string, string>;
}

const scripts = {
  build: "tsc -p tsconfig.build.json",
  start: "node dist/generated/main.js",
  dev: "EVGEN_TRANSPORT=memory tsx watch src/generated/main.ts",
  test: "vitest run",
  typecheck: "tsc --noEmit",
  dlq: "node dist/generated/dlq.js",
  generate: "evgen generate",
};

function pinned(names: string[], evgen: EvgenPackage): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const name of names.sort()) {
    const version = evgen.versions[name];
    if (version === undefined) throw new Error(`evgen's package.json does not pin ${name}`);
    pins[name] = version;
  }
  return pins;
}

export function managedKeys(ir: IR, evgen: EvgenPackage): ManagedKeys {
  const stores = [...ir.idempotencyStores, ...ir.windowStores];
  const redis = stores.includes("redis");
  const postgres = stores.includes("postgres");
  // The broker's client library: only the one its runtime files import.
  const dependencies = ["zod", "pino", "prom-client", ...brokerOf(ir.broker).dependencies(ir)];
  const devDependencies = ["typescript", "@types/node", "vitest", "tsx"];
  if (redis) dependencies.push("ioredis");
  if (postgres) {
    dependencies.push("pg");
    devDependencies.push("@types/pg");
  }
  return {
    dependencies: pinned(dependencies, evgen),
    devDependencies: pinned(devDependencies, evgen),
    scripts,
    overrides: evgen.overrides,
  };
}

function sortedKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, record[key]]),
  );
}

function objectAt(json: Json, key: string): Record<string, unknown> {
  const value = json[key];
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

/** What `npm init -y` writes as the test script: a placeholder, not the user's choice. */
const NPM_PLACEHOLDER_TEST = 'echo "Error: no test specified" && exit 1';

/** The user's scripts, with evgen's added where the user has none of that name. */
function mergeScripts(user: Record<string, unknown>, managed: Record<string, string>): Json {
  const merged: Json = { ...managed, ...user };
  if (user.test === NPM_PLACEHOLDER_TEST) merged.test = managed.test;
  return merged;
}

/**
 * `base` (the user's package.json, or the initial one) with evgen's keys set. evgen itself is
 * never added as a dependency: how the user installed it (registry, path, tarball) is theirs.
 */
export function mergePackageJson(base: Json, managed: ManagedKeys): Json {
  return {
    ...base,
    type: "module",
    scripts: mergeScripts(objectAt(base, "scripts"), managed.scripts),
    dependencies: sortedKeys({ ...objectAt(base, "dependencies"), ...managed.dependencies }),
    devDependencies: sortedKeys({ ...objectAt(base, "devDependencies"), ...managed.devDependencies }),
    ...(Object.keys(managed.overrides).length === 0
      ? {}
      : { overrides: sortedKeys({ ...objectAt(base, "overrides"), ...managed.overrides }) }),
  };
}

/** Thrown when a merge-owned file on disk cannot be read as what it should be. */
export class ExistingFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

export function parseExisting(path: string, text: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ExistingFileError(path, `not valid JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new ExistingFileError(path, "not a JSON object");
  return json as Record<string, unknown>;
}
