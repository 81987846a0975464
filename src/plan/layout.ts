// Where evgen writes in a project, as rules rather than as one spec's file list: the commit stage
// deletes a file the spec no longer needs only when it lies where evgen writes, so a manifest
// edited by hand cannot make `generate` delete the spec, `.git/` or anything else of the user's.
import { CONSUMER_NAME } from "../spec/patterns.js";

/** The project-level files evgen scaffolds once (then evgen keeps them in step while unedited). */
export const SCAFFOLDS = {
  "README.md": "README.md.hbs",
  Dockerfile: "Dockerfile.hbs",
  "docker-compose.yml": "docker-compose.yml.hbs",
  ".env.example": "env.example.hbs",
  ".gitignore": "gitignore.hbs",
  "tsconfig.json": "tsconfig.json.hbs",
  "tsconfig.build.json": "tsconfig.build.json.hbs",
} as const;

export const GENERATED_DIR = "src/generated/";

/** src/handlers/<consumer>.ts and test/<consumer>.test.ts (see IRConsumer.files). */
const CONSUMER_FILE = [/^src\/handlers\/([^/]+)\.ts$/, /^test\/([^/]+)\.test\.ts$/];

/**
 * Whether some spec could make evgen write `path`, a project path in normal form (see
 * commit/paths.ts). package.json is left out: evgen merges into it and never deletes it.
 */
export function isEvgenPath(path: string): boolean {
  if (Object.hasOwn(SCAFFOLDS, path)) return true;
  if (path.startsWith(GENERATED_DIR)) return path.endsWith(".ts");
  return CONSUMER_FILE.some((pattern) => CONSUMER_NAME.test(pattern.exec(path)?.[1] ?? ""));
}
