export { dataModule } from './data-module.js';
export { decodeJson, encodeJson } from './json-codec.js';
export { jsonModule } from './json-module.js';
export { emptyTablesAsObjects, toEncodable } from './lua-values.js';
export { decodeYaml, encodeYaml } from './yaml-codec.js';
export { yamlModule } from './yaml-module.js';
