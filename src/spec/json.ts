// JSON values as the spec writes them (defaults, examples, const) and generated code prints them.
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
