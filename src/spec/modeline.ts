// The first line of every evgen.yaml evgen writes: editors with the YAML language server then
// complete and check the spec against the JSON Schema the package ships.
export const MODELINE = "# yaml-language-server: $schema=./node_modules/evgen/schema/evgen.schema.json";
