import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProcess, SlothError } from '@sloth/core/internal';

/** What `agent install` sends: this machine's Node and the sloth-agent program with the packages it loads. */
export interface AgentPayload {
  /** Names this exact content (Node's version, the agent's version and bundle, its packages). */
  id: string;
  /** Builds the .tar.gz (on first call) and returns its path. */
  archive(signal: AbortSignal): Promise<string>;
  /** Removes what archive() wrote. */
  dispose(): void;
}

interface PackageInfo {
  name: string;
  version: string;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readPackage = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageInfo;

/**
 * Where Node would find package `name` for code in `fromDir`: the nearest `node_modules/NAME` up the tree (the
 * layout npm and pnpm both make).
 */
function packageDir(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    if (!dir.endsWith('/node_modules')) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The packages the agent loads at run time and everything they depend on, by name: those kept out of its bundle
 * (native code, WebAssembly, worker scripts), and our own packages, whose files it reads as it runs (the Lua
 * prelude, the goroutine worker and the module files it imports).
 */
function runtimePackages(agentDir: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (fromDir: string, deps: Record<string, string>, optional: boolean) => {
    for (const name of Object.keys(deps)) {
      if (found.has(name)) continue;
      const dir = packageDir(fromDir, name);
      if (!dir) {
        if (optional) continue;
        throw new SlothError('not_found', `agent install: the package ${name} the agent needs is not installed here`, {
          hint: 'run `pnpm install` (or npm install) for this installation first',
        });
      }
      found.set(name, dir);
      const pkg = readPackage(dir);
      visit(dir, pkg.dependencies ?? {}, false);
      visit(dir, pkg.optionalDependencies ?? {}, true);
    }
  };
  const agent = readPackage(agentDir);
  visit(agentDir, agent.dependencies ?? {}, false);
  return found;
}

/** The payload of the sloth-agent installed next to this CLI (`cliRoot`: the CLI package's directory). */
export function agentPayload(cliRoot: string): AgentPayload {
  const agentDir = packageDir(cliRoot, 'sloth-agent');
  const bundle = agentDir && join(agentDir, 'dist', 'bundle', 'main.js');
  if (!agentDir || !bundle || !existsSync(bundle)) {
    throw new SlothError('not_found', 'agent install: the sloth-agent program is not built in this installation', {
      hint: 'build it first (`pnpm build`)',
    });
  }
  const packages = runtimePackages(agentDir);
  const hash = createHash('sha256');
  hash.update(`${process.version} ${process.platform} ${process.arch}\n`);
  hash.update(`${readPackage(agentDir).version}\n`);
  hash.update(readFileSync(bundle));
  for (const [name, dir] of [...packages].sort()) hash.update(`${name}@${readPackage(dir).version}\n`);
  const id = hash.digest('hex').slice(0, 16);
  let stage: string | undefined;
  let built: string | undefined;
  return {
    id,
    async archive(signal) {
      if (built) return built;
      stage = mkdtempSync(join(tmpdir(), 'sloth-agent-payload-'));
      const root = join(stage, 'root');
      mkdirSync(join(root, 'agent', 'node_modules'), { recursive: true });
      // Symlinks to what is installed here; tar follows them (-h), so the archive holds real files.
      symlinkSync(process.execPath, join(root, 'node'));
      for (const part of ['bin', 'dist', 'package.json']) symlinkSync(join(agentDir, part), join(root, 'agent', part));
      for (const [name, dir] of packages) {
        const at = join(root, 'agent', 'node_modules', name);
        mkdirSync(dirname(at), { recursive: true });
        if (!name.startsWith('@sloth/')) {
          symlinkSync(dir, at);
          continue;
        }
        // Our packages as they would be published (their `files`): not their sources or their node_modules links.
        mkdirSync(at);
        for (const part of [...(readPackage(dir).files ?? ['dist']), 'package.json']) {
          if (existsSync(join(dir, part))) symlinkSync(join(dir, part), join(at, part));
        }
      }
      const file = join(stage, `sloth-agent-${id}.tar.gz`);
      const r = await runProcess({ command: ['tar', '-czhf', file, '-C', root, '.'], signal });
      if (r.exitCode !== 0) {
        throw new SlothError('task_failed', `agent install: packing the agent failed: ${r.stderr.trim().slice(-500)}`);
      }
      built = file;
      return file;
    },
    dispose() {
      if (stage) rmSync(stage, { recursive: true, force: true });
    },
  };
}
