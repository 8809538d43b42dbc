import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { callTemplate, contextIn, OLD, tempDir } from './file-ops.test-helper.js';

const NGINX = `worker_processes {{ workers }};
server {
  server_name {{ values.domain }};
{% for port in ports %}  listen {{ port }};
{% endfor %}{% if params.debug %}  error_log stderr debug;
{% endif %}  add_header X-Env "{{ env | upper }}";
}
`;

async function workflowDir(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe('file_ops.template', () => {
  it('renders Jinja syntax with vars, values and params, unescaped, then finds nothing to do', async () => {
    const source = await workflowDir({ 'templates/nginx.conf.j2': NGINX });
    const dir = await tempDir();
    const { ctx } = contextIn(dir, { sourceDir: source });
    const opts = {
      src: 'templates/nginx.conf.j2',
      dest: 'nginx.conf',
      vars: { workers: 4, ports: [80, 443], env: 'prod<1>' },
      mode: '0644',
    };
    const first = await callTemplate(ctx, opts, { domain: 'example.com' }, { debug: true });
    const expected = `worker_processes 4;
server {
  server_name example.com;
  listen 80;
  listen 443;
  error_log stderr debug;
  add_header X-Env "PROD<1>";
}
`;
    expect(await readFile(join(dir, 'nginx.conf'), 'utf8')).toBe(expected);
    expect(first).toMatchObject({ changed: true, dest: join(dir, 'nginx.conf'), src: 'templates/nginx.conf.j2', mode: '0644' });
    expect(first.diff).toContain('+  listen 443;\n');
    await utimes(join(dir, 'nginx.conf'), OLD, OLD);
    const again = await callTemplate(ctx, opts, { domain: 'example.com' }, { debug: true });
    expect(again).toMatchObject({ changed: false, changes: {} });
    expect((await stat(join(dir, 'nginx.conf'))).mtime).toEqual(OLD);
    const changed = await callTemplate(ctx, opts, { domain: 'example.org' }, {});
    expect(changed.diff).toContain('-  server_name example.com;\n+  server_name example.org;\n');
    expect(changed.diff).toContain('-  error_log stderr debug;\n');
  });

  it('finds included templates next to the template', async () => {
    const source = await workflowDir({
      'templates/main.j2': 'a\n{% include "part.j2" %}',
      'templates/part.j2': 'part {{ x }}\n',
    });
    const dir = await tempDir();
    const { ctx } = contextIn(dir, { sourceDir: source });
    await callTemplate(ctx, { src: 'templates/main.j2', dest: 'out', vars: { x: 1 } });
    expect(await readFile(join(dir, 'out'), 'utf8')).toBe('a\npart 1\n');
  });

  it('names the template file and line of a syntax error, and the undefined value', async () => {
    const source = await workflowDir({
      'templates/broken.j2': 'line one\n{% if x %}\nnever closed\n',
      'templates/bad-filter.j2': 'a\nb {{ x | }}\n',
      'templates/undefined.j2': 'one\ntwo\nport = {{ server.port }}\n',
    });
    const dir = await tempDir();
    const { ctx } = contextIn(dir, { sourceDir: source });
    const unclosed = await failure(callTemplate(ctx, { src: 'templates/broken.j2', dest: 'out', vars: { x: true } }));
    expect(unclosed.code).toBe('invalid_argument');
    expect(unclosed.message).toBe(
      'file_ops.template: template templates/broken.j2: parseIf: expected elif, else, or endif, got end of file',
    );
    const filter = await failure(callTemplate(ctx, { src: 'templates/bad-filter.j2', dest: 'out', vars: { x: 1 } }));
    expect(filter.message).toBe('file_ops.template: template templates/bad-filter.j2:2: expected symbol, got variable-end');
    const undef = await failure(callTemplate(ctx, { src: 'templates/undefined.j2', dest: 'out', vars: { server: {} } }));
    expect(undef.message).toBe(
      `file_ops.template: template templates/undefined.j2:3: 'server.port' is undefined (pass it in vars, or write {{ server.port | default("...") }})`,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('checks its options as template (not as its Lua helper), and refuses a src outside the workflow on an agent', async () => {
    const source = await workflowDir({ 't.j2': 'x' });
    const { ctx } = contextIn(await tempDir(), { sourceDir: source, bundled: true });
    const missing = await failure(callTemplate(ctx, { src: 't.j2' }));
    expect(missing.message).toBe("file_ops.template: argument #1 (opts) field 'dest': expected string, got nil");
    const outside = await failure(callTemplate(ctx, { src: '../elsewhere/t.j2', dest: 'out' }));
    expect(outside.message).toBe(
      "file_ops.template: src '../elsewhere/t.j2' lies outside the workflow's directory, so it cannot travel to an agent",
    );
  });

  it('in check mode renders and diffs, and writes nothing', async () => {
    const source = await workflowDir({ 't.j2': 'v={{ v }}\n' });
    const dir = await tempDir();
    await writeFile(join(dir, 'out'), 'v=1\n');
    const { ctx } = contextIn(dir, { sourceDir: source, checkMode: true });
    const r = await callTemplate(ctx, { src: 't.j2', dest: 'out', vars: { v: 2 } });
    expect(r).toMatchObject({ changed: true, check_mode: true });
    expect(r.diff).toContain('-v=1\n+v=2\n');
    expect(await readFile(join(dir, 'out'), 'utf8')).toBe('v=1\n');
  });
});
