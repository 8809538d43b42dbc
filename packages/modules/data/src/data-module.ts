import { defineModule } from '@sloth/core';
import { jsonDecode, jsonEncode, jsonPretty, yamlDecode, yamlEncode } from './codec-functions.js';
import { deepMergeFn, getPathFn, setPathFn } from './tables.js';

/** The `data` module: table helpers plus the json and yaml codecs under one name. */
export const dataModule = defineModule({
  name: 'data',
  importFrom: import.meta.url,
  doc: 'Table helpers (deep merge, dotted-path get and set) and JSON/YAML encoding in one module.',
  functions: {
    deep_merge: deepMergeFn,
    get_path: getPathFn,
    set_path: setPathFn,
    json_encode: jsonEncode('data.json_encode'),
    json_decode: jsonDecode('data.json_decode'),
    yaml_encode: yamlEncode('data.yaml_encode'),
    yaml_decode: yamlDecode('data.yaml_decode'),
    pretty: jsonPretty('data.pretty'),
  },
});
