// A spec full of the edge names validation lets through: JavaScript keywords as field names, names
// close to what the generated code declares, the deepest nesting allowed. Its project must generate
// and type-check (strict), so a name that is accepted can never break the build.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_FIELD_NESTING } from "../../src/spec/patterns.js";
import { validateSpec } from "../../src/validate/index.js";
import { createProject, type Project } from "../support/project.js";

function nested(levels: number): string {
  let type = "string";
  for (let i = 0; i < levels; i++) type = `{ type: object, properties: { a: ${type} } }`;
  return type;
}

const SPEC = `evgen: 1
service: events
broker: kafka
types:
  Z:
    class: string
  Schema:
    default: string
  Handlers:
    z: Z
  EventDefinitions:
    s: Schema
  HarnessOptions2:
    h: Handlers
events:
  event.definition:
    key: default
    schema:
      default: string
      class: string
      new?: integer
      delete?: boolean
      _: string
      __typename?: string
      Object?: string
      z?: Z
      def?: EventDefinitions
      options?: HarnessOptions2
      deep?: ${nested(MAX_FIELD_NESTING)}
  z.z:
    versions:
      1: { function: string }
      2: { function: string, "await?": string, "toJSON?": string }
  service.def:
    schema: { handlers: Handlers }
consumers:
  new:
    on: [event.definition]
    emits: [z.z]
    filter:
      data.class: [a, b]
  handlers:
    on: [z.z, service.def]
  harness-x:
    on: [event.definition]
  index:
    on: [z.z]
  runtime:
    on: [z.z]
  main:
    on: [service.def]
`;

let project: Project;
beforeAll(async () => {
  project = await createProject({ spec: SPEC });
}, 120_000);
afterAll(() => project?.cleanup());

describe("edge names that validation accepts", () => {
  it("are valid, and their project type-checks", async () => {
    const result = validateSpec(SPEC, "evgen.yaml");
    expect(result.ok ? [] : result.issues).toEqual([]);
    await project.typecheck();
  }, 180_000);
});
