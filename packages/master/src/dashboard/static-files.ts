import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * Headers of every page and asset: only this server's own scripts and styles run (no inline script, no CDN), no other
 * site may frame the dashboard (clickjacking), and no address leaks in a Referer.
 */
export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The built page (dist/ of @sloth/dashboard-ui), or undefined when it was not built. */
export function dashboardAssets(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@sloth/dashboard-ui/package.json');
    const dir = join(dirname(pkg), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Answers a GET with a file of `root` (assets are named by their content, so cached for good), and any other path
 * with index.html (the page routes itself); nothing outside `root` is ever read.
 */
export function serveStatic(root: string | undefined, req: IncomingMessage, res: ServerResponse): void {
  if (!root) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('the dashboard page is not built: run `pnpm build` in the Sloth Runner checkout\n');
    return;
  }
  let path = '/';
  try {
    path = decodeURIComponent((req.url ?? '/').split('?')[0] as string);
  } catch {
    // A malformed escape names no file: the page.
  }
  const file = normalize(join(root, path));
  const inside = file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile();
  const served = inside ? file : join(root, 'index.html');
  const immutable = inside && file.startsWith(join(root, 'assets') + sep);
  res.writeHead(200, {
    ...PAGE_HEADERS,
    'content-type': TYPES[extname(served)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(served).pipe(res);
}
