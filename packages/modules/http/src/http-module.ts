import { defineModule, type FunctionSpec, type ModuleSpec } from '@sloth/core';
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

/** The module under one of its two names; under `net`, the docs point at http's and the examples say `net.`. */
function named(name: string, doc: string): ModuleSpec {
  const renamed = Object.fromEntries(
    Object.entries(functions).map(([key, spec]) => [
      key,
      name === 'http'
        ? spec
        : {
            ...spec,
            doc: `Same as http.${key}.`,
            returns: `as http.${key}`,
            examples: spec.examples?.map((e) => e.replaceAll('http.', `${name}.`)),
          },
    ]),
  );
  return defineModule({ name, importFrom: import.meta.url, doc, functions: renamed });
}

/** `http`: requests to web services and downloads. */
export const httpModule = named(
  'http',
  "HTTP requests with Node's fetch: get, post, put, patch, delete, head and request return { success, status_code, status, headers, body, json, time_ms, url }; a status other than 2xx is not an error (check success), a network failure is (naming the host and the reason). Timeouts (default 30s), retries with backoff, basic and bearer auth, redirects, a CA file. download fetches a file checked by sha256, idempotently. The task's cancellation (Ctrl-C, its timeout) stops a request at once.",
);

/** `net`: the same module under the name the seed examples also use. */
export const netModule = named('net', 'Same as http: the same functions under the other name.');
