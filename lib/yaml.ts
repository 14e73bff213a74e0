import * as YAML from "js-yaml";

/**
 * Parses YAML as the Pulumi CLI and GitHub read it: YAML 1.2's core schema, where `2026-01-01` and `03:00` are
 * strings. (js-yaml's default schema would make the first a Date, and a config value its JSON.) js-yaml is the
 * parser @pulumi/pulumi itself loads, so reading a stack file loads no other.
 */
export function parseYaml(text: string): unknown {
  return YAML.load(text, { schema: YAML.CORE_SCHEMA });
}
