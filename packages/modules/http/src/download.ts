import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import {
  arg,
  type Changes,
  changeResult,
  converge,
  defineResource,
  fn,
  type ModuleCallContext,
  SlothError,
  sha256Hex,
  z,
} from '@sloth/core';
import { formatMode, modeField } from '@sloth/module-file-ops/fields';
import { type Exchange, prepareExchange, send } from './exchange.js';
import { optionsTable, requestShape } from './options.js';

/** A downloaded file as it is: the hash of its bytes and its mode. */
interface DownloadedFile {
  sha256: string;
  mode: number;
}

/**
 * A file fetched from a URL, named by its absolute path. Desired: its sha256 (optional: without it, a file already
 * there is kept), its mode, and the exchange that fetches it. The content is streamed to a temp file next to the
 * target, checked against the sha256, then renamed over it.
 */
const downloadedFile = defineResource({
  type: 'file',
  desired: z.object({
    sha256: z.string().optional(),
    mode: z.number().optional(),
    exchange: z.custom<Exchange>((v) => typeof v === 'object' && v !== null),
  }),
  async read(ctx, path): Promise<DownloadedFile | undefined> {
    const info = await ctx.host.stat(path);
    if (info?.type !== 'file') return undefined;
    return { sha256: sha256Hex(await ctx.host.readFile(path)), mode: info.mode };
  },
  diff(desired, actual): Changes {
    const changes: Changes = {};
    if (!actual || (desired.sha256 !== undefined && actual.sha256 !== desired.sha256)) {
      changes.content = {
        old: actual && `sha256:${actual.sha256}`,
        new: desired.sha256 ? `sha256:${desired.sha256}` : `download of ${desired.exchange.target.shown}`,
      };
    }
    if (desired.mode !== undefined && actual?.mode !== desired.mode) {
      changes.mode = { old: actual && formatMode(actual.mode), new: formatMode(desired.mode) };
    }
    return changes;
  },
  async apply(ctx, path, changes, desired) {
    if (!changes.content) {
      await ctx.host.chmod(path, desired.mode as number);
      return;
    }
    await send(ctx, desired.exchange, async (response) => {
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new SlothError(
          response.status === 404 ? 'not_found' : 'unavailable',
          `${ctx.fn}: ${desired.exchange.target.shown} answered ${response.status} ${response.statusText}`.trim(),
          {
            hint: 'check the URL; nothing was written',
          },
        );
      }
      const hash = createHash('sha256');
      const body = response.body;
      async function* chunks() {
        if (!body) return;
        for await (const chunk of body) {
          hash.update(chunk);
          yield chunk;
        }
      }
      await ctx.host.writeFile(path, chunks(), {
        makeParents: true,
        mode: desired.mode,
        validate: async () => {
          const got = hash.digest('hex');
          if (desired.sha256 !== undefined && got !== desired.sha256) {
            throw new SlothError(
              'task_failed',
              `${ctx.fn}: ${desired.exchange.target.shown} has sha256 ${got}, expected ${desired.sha256}`,
              {
                hint: `the file changed at the source or the sha256 is wrong; ${path} was left as it was`,
              },
            );
          }
        },
      });
    });
  },
});

const SHA256 = z
  .string()
  .transform((s) =>
    s
      .trim()
      .toLowerCase()
      .replace(/^sha256:/, ''),
  )
  .refine((s) => /^[0-9a-f]{64}$/.test(s), 'expected 64 hex digits (optionally "sha256:...")');

const downloadOptions = optionsTable({ ...requestShape, sha256: SHA256.optional(), mode: modeField.optional() });

/** http.download(url, dest, { sha256, mode, ... }). */
export const download = fn({
  doc: 'Downloads a URL to dest (relative: the task workdir), streamed to a temp file next to it and renamed over it once complete. With sha256 the download is checked against it (a mismatch leaves dest as it was) and skipped when dest already has that checksum; without it, an existing dest is kept. mode: "0644" or a number. Takes the request options of http.get (headers, timeout: default "10m" for the whole transfer, retries, basic_auth, bearer, ca_file...). In check mode nothing is fetched or written. A status other than 2xx is an error here.',
  args: [
    arg('url', z.string(), 'an http:// or https:// URL'),
    arg('dest', z.string().min(1, 'expected a path, got an empty string'), 'where the file goes'),
    arg('opts', downloadOptions.optional(), '{ sha256 = "...", mode = "0755", timeout = "5m" }'),
  ],
  returns: 'table: changed, changes ({ content = { old, new } as "sha256:..." hashes, mode }), check_mode, dest, url, sha256',
  examples: [
    'local r = http.download("https://example.com/tool-1.2.tar.gz", "/opt/tool.tar.gz", { sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", mode = "0644" })',
  ],
  run: async ([url, dest, opts], ctx) => {
    const { sha256, mode, ...request } = opts ?? {};
    const exchange = prepareExchange(ctx.fn, 'GET', url, request, { timeoutMs: 600_000 });
    const path = resolve(ctx.workdir, dest);
    const outcome = await converge(downloadedFile, path, { sha256, mode, exchange }, ctx);
    return changeResult(outcome, { dest: path, url: exchange.target.shown, sha256: await finalHash(ctx, path, sha256) });
  },
});

/** The checksum of what dest holds now (the one asked for, when the call ensured it). */
async function finalHash(ctx: ModuleCallContext, path: string, wanted: string | undefined): Promise<string | undefined> {
  if (wanted !== undefined && !ctx.checkMode) return wanted;
  return (await downloadedFile.read(ctx, path))?.sha256;
}
