// How templates are compiled, at build time (scripts/precompile-templates.mjs) and at run time
// alike. Output is code, not HTML; strict: a template naming a field the view lacks is a bug.
export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;
