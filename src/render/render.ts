// Turns planned files into text: Handlebars templates fed with the view model, runtime modules
// copied under the generated-file header, and the merged package.json.
import type { IR } from "../ir/types.js";
import type { PlannedFile } from "../plan/types.js";
import { readBrokerPartials, readEvgenPackage, readRuntimeFile, readTemplate, type EvgenPackage } from "./assets.js";
import { compileTemplate, type Template } from "./compiled-templates.js";
import { fitsWidth } from "./layout.js";
import { managedKeys, mergePackageJson, parseExisting } from "./package-json.js";
import { projectView, type ProjectView } from "./view-model.js";

const compiled = new Map<string, Template>();
const partials = new Map<string, Record<string, Template>>();

/** The broker's partials (src/render/assets.ts), compiled once. */
function brokerPartials(broker: string): Record<string, Template> {
  let compiledPartials = partials.get(broker);
  if (!compiledPartials) {
    compiledPartials = Object.fromEntries(
      Object.entries(readBrokerPartials(broker)).map(([name, source]) => [name, compileTemplate(source)]),
    );
    partials.set(broker, compiledPartials);
  }
  return compiledPartials;
}

function template(broker: string, name: string): (view: object) => string {
  const key = `${broker}/${name}`;
  let render = compiled.get(key);
  if (!render) {
    render = compileTemplate(readTemplate(broker, name));
    compiled.set(key, render);
  }
  const delegate = render;
  return (view) => delegate(view, { partials: brokerPartials(broker) });
}

/** A template with a view of the caller's choosing (the initial spec of `evgen init`). */
export function renderTemplate(broker: string, name: string, view: object): string {
  return template(broker, name)(view);
}

export interface RenderContext {
  ir: IR;
  view: ProjectView;
  evgen: EvgenPackage;
  /** Current text of merge-owned files, by path. */
  existing: Readonly<Record<string, string>>;
}

export function renderContext(ir: IR, header: string, existing: Readonly<Record<string, string>> = {}): RenderContext {
  return { ir, view: projectView(ir, header), evgen: readEvgenPackage(), existing };
}

/** The user's package.json (or the initial one) with evgen's dependencies and scripts set. */
function renderPackageJson(file: PlannedFile, context: RenderContext): string {
  const current = context.existing[file.path];
  const base =
    current === undefined
      ? (JSON.parse(template(context.ir.broker, "package.json.hbs")(context.view)) as Record<string, unknown>)
      : parseExisting(file.path, current);
  return `${JSON.stringify(mergePackageJson(base, managedKeys(context.ir, context.evgen)), null, 2)}\n`;
}

/**
 * Whether a rendered file is already in prettier's layout, so format can leave it as it is: its
 * template and printers emit that layout (src/render/layout.ts) and every line fits the width.
 */
export function isPrettierShaped(file: PlannedFile, context: RenderContext, text: string): boolean {
  const { source } = file;
  const { view } = context;
  let shaped: boolean;
  if (source.kind === "consumer-template") {
    shaped = view.consumers.find((consumer) => consumer.name === source.consumer)?.shaped ?? false;
  } else if (source.kind === "template") {
    shaped = shapedTemplates[source.template]?.(view) ?? false;
  } else {
    shaped = false;
  }
  // Prose (Markdown with proseWrap "preserve") and YAML comments may run past the print width.
  return shaped && (!file.path.endsWith(".ts") || fitsWidth(text));
}

/** Project templates that print prettier's layout, and when (the rest is formatted by prettier). */
const shapedTemplates: Record<string, (view: ProjectView) => boolean> = {
  "events.ts.hbs": (view) => view.eventsCanonical,
  // Without consumers, prettier collapses their empty object literals.
  "service-def.ts.hbs": (view) => view.serviceDefCanonical && view.consumers.length > 0,
  "testing.ts.hbs": (view) => view.serviceDefCanonical && view.consumers.length > 0,
  "index.ts.hbs": () => true,
  "main.ts.hbs": () => true,
  "transport.ts.hbs": () => true,
  "dlq.ts.hbs": () => true,
  "tsconfig.json.hbs": () => true,
  "README.md.hbs": (view) => view.readmeCanonical,
  "docker-compose.yml.hbs": () => true,
  "tsconfig.build.json.hbs": () => true,
};

export function renderFile(file: PlannedFile, context: RenderContext): string {
  const { source } = file;
  switch (source.kind) {
    case "template":
      return template(context.ir.broker, source.template)(context.view);
    case "consumer-template": {
      const consumer = context.view.consumers.find((candidate) => candidate.name === source.consumer);
      return template(context.ir.broker, source.template)({ ...context.view, consumer });
    }
    case "runtime":
      return `${context.view.header}\n${readRuntimeFile(source.file)}`;
    case "package-json":
      return renderPackageJson(file, context);
  }
}
