import { defineModule, type FunctionSpec, moduleAlias } from '@sloth/core';
import { download } from './download.js';
import { bodyMethod, plainMethod, request } from './request-functions.js';

const functions: Record<string, FunctionSpec> = {
  get: plainMethod('GET', 'local r = http.get("http://127.0.0.1:8080/health", { timeout = "5s", retries = 2 })'),
  post: bodyMethod('POST', 'http.post("https://hooks.example.com/notify", { json = { text = "deployed" }, bearer = token })'),
  put: bodyMethod('PUT', 'http.put("http://127.0.0.1:8500/v1/kv/app/mode", { body = "maintenance" })'),
  patch: bodyMethod('PATCH', 'http.patch("https://api.example.com/items/7", { json = { done = true } })'),
  delete: plainMethod('DELETE', 'http.delete("https://api.example.com/items/7", { bearer = token })'),
  head: plainMethod('HEAD', 'local ok = http.head("https://example.com/").success'),
  request,
  download,
};

/** `http`: requests to web services and downloads. */
export const httpModule = defineModule({
  name: 'http',
  importFrom: import.meta.url,
  doc: "HTTP requests with Node's fetch: get, post, put, patch, delete, head and request return { success, status_code, status, headers, body, json, time_ms, url }; a status other than 2xx is not an error (check success), a network failure is (naming the host and the reason). Timeouts (default 30s), retries with backoff, basic and bearer auth, redirects, a CA file. download fetches a file checked by sha256, idempotently. The task's cancellation (Ctrl-C, its timeout) stops a request at once.",
  functions,
});

/** `net`: the same module under the name the seed examples also use. */
export const netModule = moduleAlias(
  httpModule,
  'net',
  'Same as http: the same functions under the other name.',
  import.meta.url,
);
