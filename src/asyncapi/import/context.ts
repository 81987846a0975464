// State shared by the mappers of one import: the document, the warnings so far, and what has
// been mapped (messages, named types) so that later mappers can refer to it.
import type { Broker } from "../../ir/types.js";
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
  service = "service";
  broker: Broker = "kafka";

  constructor(
    readonly root: Obj,
    readonly options: ImportOptions,
  ) {}

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  /** Warns about every key of `node` not in `known` (x-evgen-* extensions are always known). */
  leftover(node: Obj, path: string, known: readonly string[], what = NO_PLACE): void {
    for (const key of Object.keys(node)) {
      if (!known.includes(key) && !key.startsWith("x-evgen-")) this.warn(pointer(path, key), what);
    }
  }

  /** Follows local $refs; `path` is where the node was found. Undefined (with a warning) when it cannot be resolved. */
  deref(node: Json, path: string): { node: Json; path: string } | undefined {
    const seen = new Set<string>();
    while (isObj(node) && typeof node.$ref === "string") {
      const target = node.$ref;
      if (!target.startsWith("#/") && target !== "#") {
        this.warn(path, `external $ref ${target} is not followed: only references inside the document are`);
        return undefined;
      }
      if (seen.has(target)) {
        this.warn(path, `$ref ${target} refers to itself`);
        return undefined;
      }
      seen.add(target);
      let value: Json = this.root;
      for (const segment of target.slice(2).split("/").filter((s, i, all) => !(s === "" && all.length === 1))) {
        value = isObj(value) ? value[unescape(segment)] : Array.isArray(value) ? value[Number(segment)] : undefined;
      }
      if (value === undefined) {
        this.warn(path, `$ref ${target} does not resolve`);
        return undefined;
      }
      this.visited.add(target);
      node = value;
      path = target;
    }
    return { node, path };
  }
}
