import { didYouMean, durationField, luaTable, luaTypeName, z } from '@sloth/core';

const scalar = z
  .union([z.string(), z.number(), z.boolean()], {
    error: (issue) => `expected a string, number or boolean, got ${luaTypeName(issue.input)}`,
  })
  .transform(String);

const basicAuth = z.union(
  [
    z.strictObject({ user: z.string(), password: z.string() }).transform((a) => a),
    z.tuple([z.string(), z.string()]).transform(([user, password]) => ({ user, password })),
  ],
  { error: () => 'expected { user = "...", password = "..." } or { "user", "password" }' },
);

/** The options every request takes (http.get's opts; download takes them too). */
export const requestShape = {
  headers: z.record(z.string(), scalar).optional(),
  query: z.record(z.string(), scalar).optional(),
  body: z.string().optional(),
  json: z.unknown().optional(),
  timeout: durationField.optional(),
  retries: z.number().int('expected a whole number').min(0).max(10, 'at most 10 retries').optional(),
  retry_delay: durationField.optional(),
  basic_auth: basicAuth.optional(),
  bearer: z.string().min(1, 'expected a token, got an empty string').optional(),
  follow_redirects: z.boolean().optional(),
  ca_file: z.string().min(1, 'expected a path, got an empty string').optional(),
};

export const OPTION_NAMES = Object.keys(requestShape);

/**
 * A strict table of `shape` whose unknown key is refused with the nearest option name; `extra` says what else the
 * table could have meant (the JSON-body rule).
 */
export function optionsTable<S extends z.core.$ZodLooseShape>(shape: S, extra = '') {
  const known = Object.keys(shape);
  return luaTable(
    z.strictObject(shape, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown option '${String(issue.keys[0])}'${didYouMean(String(issue.keys[0]), known)}; options are ${known.join(', ')}${extra}`
          : undefined,
    }),
    'expected a table of options like { timeout = "5s" }, got a list',
  );
}

export const requestOptions = optionsTable(requestShape);
export type RequestOptions = z.output<typeof requestOptions>;

/**
 * A table with none of the option names is the request's JSON body (`net.post(url, { text = "hi" })`): what
 * post, put and patch take as their second argument. A table with one of them is options, so a typo among real
 * options is still caught; a body that has such a key goes in `json = {...}`.
 */
function bodyOrOptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? { json: value } : value;
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => !OPTION_NAMES.includes(k)) ? { json: value } : value;
}

const BODY_RULE = ' (a table without any of them is sent as the JSON body; a body with such a key goes in json = {...})';

/** The second argument of post, put and patch: options, or a table sent as JSON. */
export const bodyOrOptionsArg = z.preprocess(bodyOrOptions, optionsTable(requestShape, BODY_RULE)).optional();
