// The project directory as the commit stage sees it: reads confined to the project and done once,
// and the writes of a commit carried out only after every check passed.
import { lstatSync, mkdirSync, readFileSync, readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { sha256 } from "../format/hash.js";
import { isProjectPath, refuseLinks, resolveInside } from "./paths.js";
import { writeFileReplacing } from "./write-file.js";

export class ProjectDir {
  private readonly contents = new Map<string, string | undefined>();
  private readonly hashes = new Map<string, string>();
  /**
   * Folders below the root found to be real folders, with no symbolic link on the way: a path in
   * one is inside the project unless it is a link itself. This spares the full checks of paths.ts
   * (a realpath of every path) for the hundreds of files of one folder.
   */
  private readonly plainFolders = new Set<string>(["."]);

  constructor(readonly root: string) {}

  /**
   * "plain" for a real folder below the root with no link on the way, "absent" when it does not
   * exist yet below a plain one (nothing there can lead elsewhere), else "other": paths.ts decides.
   */
  private folder(path: string): "plain" | "absent" | "other" {
    if (this.plainFolders.has(path)) return "plain";
    const parent = this.folder(posix.dirname(path));
    if (parent !== "plain") return parent;
    // lstat: a link to a folder is not a directory here.
    const stat = lstatSync(join(this.root, path), { throwIfNoEntry: false });
    if (!stat) return "absent";
    if (!stat.isDirectory()) return "other";
    this.plainFolders.add(path);
    return "plain";
  }

  /** Whether `path` is inside the project and no link, by the quick test; when not, paths.ts decides. */
  private isPlainPath(path: string): boolean {
    if (!isProjectPath(path)) return false;
    const folder = this.folder(posix.dirname(path));
    if (folder === "absent") return true;
    return folder === "plain" && lstatSync(join(this.root, path), { throwIfNoEntry: false })?.isSymbolicLink() !== true;
  }

  /** The absolute location of `path`, refused when it leads outside the project (paths.ts). */
  private locate(path: string): string {
    return this.isPlainPath(path) ? join(this.root, path) : resolveInside(this.root, path);
  }

  /** The file's text, or undefined when it does not exist. */
  read(path: string): string | undefined {
    if (!this.contents.has(path)) {
      let text: string | undefined;
      try {
        text = readFileSync(this.locate(path), "utf8");
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
    if (this.isPlainPath(path)) return;
    resolveInside(this.root, path);
    refuseLinks(this.root, path);
  }

  /** Writes through a temporary file and a rename, so a reader never sees half a file. */
  write(path: string, content: string): void {
    this.checkWritable(path);
    const target = this.locate(path);
    if (this.folder(posix.dirname(path)) !== "plain") mkdirSync(dirname(target), { recursive: true });
    writeFileReplacing(target, content);
    this.contents.set(path, content);
    this.hashes.delete(path);
  }

  /** Deletes the file, then the directories it leaves empty, up to the project directory. */
  delete(path: string): void {
    this.checkWritable(path);
    const target = this.locate(path);
    unlinkSync(target);
    this.contents.set(path, undefined);
    this.hashes.delete(path);
    let directory = posix.dirname(path);
    while (directory !== ".") {
      const absolute = resolveInside(this.root, directory);
      if (readdirSync(absolute).length > 0) break;
      rmdirSync(absolute);
      this.plainFolders.delete(directory);
      directory = posix.dirname(directory);
    }
  }
}
