import { call, failure, testContext } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { dataModule } from './data-module.js';
import { jsonModule } from './json-module.js';
import { yamlModule } from './yaml-module.js';

const { ctx } = testContext();
const json = (name: string, ...args: unknown[]) => call(jsonModule, name, args, ctx);
const yaml = (name: string, ...args: unknown[]) => call(yamlModule, name, args, ctx);
const data = (name: string, ...args: unknown[]) => call(dataModule, name, args, ctx);

describe('json', () => {
  it('encodes compactly with sorted keys, lists as arrays and empty tables as {}', async () => {
    expect(await json('encode', { z: 1, a: [1, 'two', true], m: { y: [], x: {} } })).toBe(
      '{"a":[1,"two",true],"m":{"x":{},"y":{}},"z":1}',
    );
    expect(await json('encode', [])).toBe('{}');
    expect(await json('encode', {})).toBe('{}');
    expect(await json('encode', 'text')).toBe('"text"');
    expect(await json('encode', 1.5)).toBe('1.5');
    expect(await json('encode', undefined)).toBe('null');
  });

  it('pretty-prints with two spaces', async () => {
    expect(await json('pretty', { b: [1, 2], a: {} })).toBe('{\n  "a": {},\n  "b": [\n    1,\n    2\n  ]\n}');
  });

  it('decodes, turning null into nil', async () => {
    expect(await json('decode', '{"a": {"b": [1, 2.5, "x"]}, "n": null, "t": true}')).toEqual({
      a: { b: [1, 2.5, 'x'] },
      t: true,
    });
    expect(await json('decode', 'null')).toBeUndefined();
    const list = (await json('decode', '[1, null, 3]')) as unknown[];
    expect(list[1]).toBeUndefined();
    expect(list).toHaveLength(3);
  });

  it('says what is wrong with invalid JSON and where', async () => {
    // V8 words the problem; we add where it is (and drop V8's echo of the whole input).
    const cases: [string, RegExp][] = [
      ['{\n  "a": 1,\n  b: 2\n}', /^json\.decode: invalid JSON: .*property name.* at line 3, column 3$/],
      ['{"a": [1, 2', /^json\.decode: invalid JSON: .* at line 1, column 12$/],
      ['   ', /^json\.decode: invalid JSON: the text is empty$/],
      ['{"a":1} x', /^json\.decode: invalid JSON: .* at line 1, column 9$/],
      ['[1,2,]', /^json\.decode: invalid JSON: unexpected token ']'$/],
    ];
    for (const [text, message] of cases) {
      const err = await failure(json('decode', text));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toMatch(message);
      expect(err.hint).toContain('double-quoted');
    }
  });

  it('refuses values JSON cannot hold, naming where they are', async () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    const cases: [unknown, string][] = [
      [{ a: { b: [1, () => 1] } }, "json.encode: cannot encode a function at 'a.b.2'"],
      [{ n: Number.NaN }, "json.encode: cannot encode the number NaN at 'n'"],
      [cyclic, "json.encode: cannot encode a table that contains itself at 'self'"],
    ];
    for (const [value, message] of cases) expect((await failure(json('encode', value))).message).toBe(message);
  });

  it('rejects a non-string to decode with the parseArgs message', async () => {
    const err = await failure(json('decode', { a: 1 }));
    expect(err.message).toBe('json.decode: argument #1 (text): expected string, got table');
    expect(err.hint).toBe('usage: json.decode(text)');
  });
});

describe('yaml', () => {
  it('encodes block style with sorted keys, empty tables as {} and long strings unfolded', async () => {
    const long = 'word '.repeat(30).trim();
    expect(await yaml('encode', { name: 'web', ports: [80, 443], empty: [], nested: { b: 2, a: 1 }, long })).toBe(
      `empty: {}\nlong: ${long}\nname: web\nnested:\n  a: 1\n  b: 2\nports:\n  - 80\n  - 443\n`,
    );
    expect(await yaml('encode', undefined)).toBe('null\n');
    expect(await yaml('encode', Number.POSITIVE_INFINITY)).toBe('.inf\n');
  });

  it('does not turn shared subtables into anchors', async () => {
    const shared = { tag: '1.0' };
    expect(await yaml('encode', { a: shared, b: shared })).toBe('a:\n  tag: "1.0"\nb:\n  tag: "1.0"\n');
  });

  it('decodes YAML 1.2 with merge keys; null becomes nil', async () => {
    const text =
      'base: &base\n  image: app\n  replicas: 2\nweb:\n  <<: *base\n  replicas: 3\nversion: "1.10"\nflag: yes\nnothing: ~\n';
    expect(await yaml('decode', text)).toEqual({
      base: { image: 'app', replicas: 2 },
      web: { image: 'app', replicas: 3 },
      version: '1.10',
      flag: 'yes',
    });
    expect(await yaml('decode', '')).toBeUndefined();
  });

  it('says what is wrong with invalid YAML, with line and column', async () => {
    const cases: [string, string][] = [
      ['a: b: c', 'yaml.decode: invalid YAML: nested mappings are not allowed in compact mappings at line 1, column 4'],
      ['a: 1\na: 2', 'yaml.decode: invalid YAML: map keys must be unique at line 2, column 1'],
      [
        'a:\n  - 1\n - 2',
        'yaml.decode: invalid YAML: a block sequence may not be used as an implicit map key at line 3, column 1',
      ],
      ['a: 1\n---\nb: 2', 'yaml.decode: the text holds several YAML documents (the second starts at line 2)'],
      ['x: *nope', 'yaml.decode: invalid YAML: unresolved alias (the anchor must be set before the alias): nope'],
    ];
    for (const [text, message] of cases) {
      const err = await failure(yaml('decode', text));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toBe(message);
    }
  });
});

describe('data codecs', () => {
  it('offers the json and yaml codecs under data, with data names in errors', async () => {
    const value = { list: [1, 2], name: 'x' };
    expect(await data('json_decode', await data('json_encode', value))).toEqual(value);
    expect(await data('yaml_decode', await data('yaml_encode', value))).toEqual(value);
    expect(await data('pretty', { a: 1 })).toBe('{\n  "a": 1\n}');
    expect((await failure(data('json_decode', '{'))).message).toMatch(
      /^data\.json_decode: invalid JSON: .* at line 1, column 2$/,
    );
    expect((await failure(data('yaml_decode', 'a: b: c'))).message).toMatch(/^data\.yaml_decode: invalid YAML: /);
  });
});
