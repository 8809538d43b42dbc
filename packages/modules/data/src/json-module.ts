import { defineModule } from '@sloth/core';
import { jsonDecode, jsonEncode, jsonPretty } from './codec-functions.js';

/** The `json` module. */
export const jsonModule = defineModule({
  name: 'json',
  importFrom: import.meta.url,
  doc: 'Encode Lua values as JSON and decode JSON text into Lua values.',
  functions: { encode: jsonEncode('json.encode'), decode: jsonDecode('json.decode'), pretty: jsonPretty('json.pretty') },
});
