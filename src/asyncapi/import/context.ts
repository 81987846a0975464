// State shared by the mappers of one import: the document, the warnings so far, and what has
// been mapped (messages, named types) so that later mappers can refer to it.
import { DEFAULT_BROKER } from "../../broker/index.js";
import { posix } from "node:path";
import { parse } from "yaml";
import { pascalCase, versionTypeName } from "../../ir/names.js";
import type { Broker } from "../../ir/types.js";
import { RESERVED_TYPE_NAMES } from "../../validate/checks/derived-names.js";
import type { FieldsSpec } from "../../spec/schema/field-type.js";
import { isObj, pointer, unescape, type Json, type Obj } from "./json.js";
import type { ImportOptions, ImportWarning } from "./types.js";

export interface MessageInfo {
  pointer: string;
  message: Obj;
  /** Channels holding it: [channel pointer, address]. */
  channels: Array<[string, string | undefined]>;
  type?: string;
  version?: number;
}

export const NO_PLACE = "not imported: evgen.yaml has no place for it";

export class ImportContext {
  readonly warnings: ImportWarning[] = [];
  /** Pointers a $ref reached: components nothing reaches are reported as unused. */
  readonly visited = new Set<string>();
  readonly messages = new Map<string, MessageInfo>();
  /** Component schema pointer -> named type, for schemas referenced as field types. */
  readonly typeNames = new Map<string, string>();
  readonly types = new Map<string, FieldsSpec>();
  /** Component schemas used as a payload: they are not also named types. */
  readonly payloadRoots = new Set<string>();
  /** TypeScript names taken by events and their versions, and reserved ones: no named type gets them. */
  readonly takenTypeNames = new Set<string>(RESERVED_TYPE_NAMES);
  /** Message pointer -> routing keys (amqp operation binding `cc`) of the operations carrying it. */
  readonly routingKeys = new Map<string, string[]>();
  service = "service";
  broker: Broker = DEFAULT_BROKER;

  constructor(
    readonly root: Obj,
    readonly options: ImportOptions,
  ) {}

  reserveEventNames(type: string, version: number): void {
    const name = pascalCase(type);
    this.takenTypeNames.add(name).add(versionTypeName(name, version));
  }

  /** A schema reached from several places is mapped at each: its warnings are listed once. */
  private readonly warned = new Set<string>();

  warn(path: string, message: string): void {
    const key = `${path}\n${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push({ path, message });
  }

  /** Warns about every key of `node` not in `known` (x-evgen-* extensions are always known). */
  leftover(node: Obj, path: string, known: readonly string[], what = NO_PLACE): void {
    for (const key of Object.keys(node)) {
      if (!known.includes(key) && !key.startsWith("x-evgen-")) this.warn(pointer(path, key), what);
    }
  }

  /** Documents other than the root by their path relative to it ("../common/messages.yaml"). */
  private readonly documents = new Map<string, Json>();

  /**
   * Follows $refs, local and to files next to the document (when the caller can read them);
   * `path` is where the node was found: "#/..." in the root, "<file>#/..." in another document.
   * Undefined (with a warning) when it cannot be resolved.
   */
  deref(node: Json, path: string): { node: Json; path: string } | undefined {
    const seen = new Set<string>();
    while (isObj(node) && typeof node.$ref === "string") {
      const target = this.absolute(node.$ref, path);
      if (target === undefined) {
        this.warn(
          path,
          `$ref ${node.$ref} is not followed: only references inside the document and to local files are`,
        );
        return undefined;
      }
      if (seen.has(target)) {
        this.warn(path, `$ref ${node.$ref} refers to itself`);
        return undefined;
      }
      seen.add(target);
      const value = this.lookUp(target, path);
      if (value === undefined) {
        this.warn(path, `$ref ${node.$ref} does not resolve`);
        return undefined;
      }
      this.visited.add(target);
      node = value;
      path = target;
    }
    return { node, path };
  }

  /** A $ref as "<file>#/pointer" relative to the root document ("#/pointer" inside it). */
  private absolute(ref: string, from: string): string | undefined {
    const hash = ref.indexOf("#");
    const file = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = hash === -1 ? "#" : ref.slice(hash);
    if (fragment !== "#" && !fragment.startsWith("#/")) return undefined;
    const current = from.slice(0, from.indexOf("#"));
    if (file === "") return `${current}${fragment}`;
    if (/^[a-z][a-z0-9+.-]*:/i.test(file) || file.startsWith("/") || !/\.(ya?ml|json)$/i.test(file)) return undefined;
    const joined = posix.normalize(posix.join(posix.dirname(current || "."), file));
    return `${joined === "." ? "" : joined}${fragment}`;
  }

  /** The node at a path deref returned ("#/..." or "<file>#/..."). */
  nodeAt(path: string): Json {
    return this.lookUp(path, path);
  }

  private lookUp(target: string, from: string): Json {
    const hash = target.indexOf("#");
    const file = target.slice(0, hash);
    let value = file === "" ? this.root : this.document(file, from);
    for (const segment of target
      .slice(hash + 2)
      .split("/")
      .filter((s, i, all) => !(s === "" && all.length === 1))) {
      value = isObj(value) ? value[unescape(segment)] : Array.isArray(value) ? value[Number(segment)] : undefined;
    }
    return value;
  }

  private document(file: string, from: string): Json {
    if (this.documents.has(file)) return this.documents.get(file);
    let document: Json;
    const text = this.options.readFile?.(file);
    if (text === undefined) this.warn(from, `${file} cannot be read: its $refs are not followed`);
    else {
      try {
        document = parse(text);
      } catch (error) {
        this.warn(from, `${file} is not valid YAML or JSON: ${(error as Error).message}`);
      }
    }
    this.documents.set(file, document);
    return document;
  }
}
