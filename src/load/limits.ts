// Bounds on what evgen reads, so that no spec can make it use unbounded memory, time or stack
// (docs/spec.md, Limits). Each is far above what a real service's spec needs.

/** evgen.yaml is read only up to this size: 1 MiB. */
export const MAX_SPEC_BYTES = 1024 * 1024;
export const MAX_SPEC_SIZE_TEXT = "1 MiB";

/** An AsyncAPI document `evgen import asyncapi` reads: 8 MiB (they carry examples and prose). */
export const MAX_ASYNCAPI_BYTES = 8 * 1024 * 1024;
export const MAX_ASYNCAPI_SIZE_TEXT = "8 MiB";

/** Mappings and lists nested inside one another, at most (a spec's own structure needs about 40). */
export const MAX_YAML_DEPTH = 64;

/**
 * yaml's guard against alias expansion ("billion laughs"): an alias counts as often as the nodes
 * it repeats, and the document is refused when the total passes this.
 */
export const MAX_ALIAS_COUNT = 100;
