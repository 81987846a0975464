// What `evgen import asyncapi` is given and what it returns.
import type { Broker } from "../../ir/types.js";
import type { Issue } from "../../spec/issue.js";

export interface ImportWarning {
  /** JSON pointer into the AsyncAPI document, e.g. #/components/schemas/Order/properties/id. */
  path: string;
  message: string;
}

export interface ImportResult {
  /** The evgen.yaml text, modeline first. */
  text: string;
  warnings: ImportWarning[];
  /** validateSpec's verdict on `text`: errors mean it must not be written. */
  issues: Issue[];
  ok: boolean;
}

/** The input is not an AsyncAPI 3 document at all: nothing to import. */
export class AsyncApiImportError extends Error {}

export interface ImportOptions {
  broker?: Broker;
  /** Name of the AsyncAPI file, for the header comment. */
  sourceName?: string;
  /** Name of the spec, as validation issues should name it. */
  specFile?: string;
  /**
   * Text of a file a $ref names, by its path relative to the document ("../common/messages.yaml");
   * undefined when it cannot be read. Without it only references inside the document are followed.
   */
  readFile?: (relativePath: string) => string | undefined;
}
