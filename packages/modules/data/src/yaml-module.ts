import { defineModule } from '@sloth/core';
import { yamlDecode, yamlEncode } from './codec-functions.js';

/** The `yaml` module. */
export const yamlModule = defineModule({
  name: 'yaml',
  importFrom: import.meta.url,
  doc: 'Encode Lua values as YAML and decode YAML documents into Lua values.',
  functions: { encode: yamlEncode('yaml.encode'), decode: yamlDecode('yaml.decode') },
});
