// The project directory as the commit stage sees it: reads confined to the project and done once,
// and the writes of a commit carried out only after every check passed.
import { mkdirSync, readFileSync, readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { dirname, posix } from "node:path";
import { sha256 } from "../format/hash.js";
import { refuseLinks, resolveInside } from "./paths.js";
import { writeFileReplacing } from "./write-file.js";

export class ProjectDir {
  private readonly contents = new Map<string, string | undefined>();
  private readonly hashes = new Map<string, string>();

  constructor(readonly root: string) {}

  /** The file's text, or undefined when it does not exist. */
  read(path: string): string | undefined {
    if (!this.contents.has(path)) {
      let text: string | undefined;
      try {
        text = readFileSync(resolveInside(this.root, path), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      this.contents.set(path, text);
    }
    return this.contents.get(path);
  }

  /** sha256 of the file's text, computed once however many checks ask; undefined when missing. */
  hash(path: string): string | undefined {
    const text = this.read(path);
    if (text === undefined) return undefined;
    let hash = this.hashes.get(path);
    if (hash === undefined) this.hashes.set(path, (hash = sha256(text)));
    return hash;
  }

  /** Throws a PathError when `path` must not be written or deleted: outside the project, or through a link. */
  checkWritable(path: string): void {
    resolveInside(this.root, path);
    refuseLinks(this.root, path);
  }

  /** Writes through a temporary file and a rename, so a reader never sees half a file. */
  write(path: string, content: string): void {
    this.checkWritable(path);
    const target = resolveInside(this.root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileReplacing(target, content);
    this.contents.set(path, content);
    this.hashes.delete(path);
  }

  /** Deletes the file, then the directories it leaves empty, up to the project directory. */
  delete(path: string): void {
    this.checkWritable(path);
    const target = resolveInside(this.root, path);
    unlinkSync(target);
    this.contents.set(path, undefined);
    this.hashes.delete(path);
    let directory = posix.dirname(path);
    while (directory !== ".") {
      const absolute = resolveInside(this.root, directory);
      if (readdirSync(absolute).length > 0) break;
      rmdirSync(absolute);
      directory = posix.dirname(directory);
    }
  }
}
