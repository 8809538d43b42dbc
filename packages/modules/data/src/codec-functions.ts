import { arg, type FunctionSpec, fn, z } from '@sloth/core';
import { decodeJson, encodeJson } from './json-codec.js';
import { decodeYaml, encodeYaml } from './yaml-codec.js';

// The same functions appear as json.encode and data.json_encode; `who` is the name users called, for messages and examples.
const valueArg = arg('value', z.unknown(), 'a string, number, boolean, nil or table');
const textArg = (format: string) => arg('text', z.string(), `${format} text`);

/** `json.encode` / `data.json_encode`. */
export function jsonEncode(who: string): FunctionSpec {
  return fn({
    doc: 'Encodes a value as compact JSON; keys are sorted, and an empty table is {} (a non-empty sequence is an array).',
    args: [valueArg],
    returns: 'string',
    examples: [`local body = ${who}({ name = "web", ports = { 80, 443 } })  -- {"name":"web","ports":[80,443]}`],
    run: ([value]) => encodeJson(value, who),
  });
}

/** `json.pretty` / `data.pretty`. */
export function jsonPretty(who: string): FunctionSpec {
  return fn({
    doc: 'Encodes a value as JSON indented by two spaces, for files people read.',
    args: [valueArg],
    returns: 'string',
    examples: [`fs.write("package.json", ${who}(manifest) .. "\\n")`],
    run: ([value]) => encodeJson(value, who, 2),
  });
}

/** `json.decode` / `data.json_decode`. */
export function jsonDecode(who: string): FunctionSpec {
  return fn({
    doc: 'Decodes JSON text into a Lua value; JSON null becomes nil. Invalid JSON raises an error with line and column.',
    args: [textArg('JSON')],
    returns: 'any (table, string, number, boolean or nil)',
    examples: [`local pkg = ${who}(fs.read("package.json"))\nlog.info(pkg.version)`],
    run: ([text]) => decodeJson(text, who),
  });
}

/** `yaml.encode` / `data.yaml_encode`. */
export function yamlEncode(who: string): FunctionSpec {
  return fn({
    doc: 'Encodes a value as a YAML document (block style, keys sorted, empty table as {}).',
    args: [valueArg],
    returns: 'string',
    examples: [`fs.write("values.yaml", ${who}({ replicas = 3, image = { tag = "1.2.0" } }))`],
    run: ([value]) => encodeYaml(value, who),
  });
}

/** `yaml.decode` / `data.yaml_decode`. */
export function yamlDecode(who: string): FunctionSpec {
  return fn({
    doc: 'Decodes one YAML document (YAML 1.2, anchors and << merge keys allowed); null becomes nil. Errors give line and column.',
    args: [textArg('YAML')],
    returns: 'any (table, string, number, boolean or nil)',
    examples: [`local cfg = ${who}(fs.read("config.yaml"))\nfor _, host in ipairs(cfg.hosts) do log.info(host) end`],
    run: ([text]) => decodeYaml(text, who),
  });
}
