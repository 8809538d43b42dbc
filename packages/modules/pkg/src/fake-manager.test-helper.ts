import type { Host } from '@sloth/core';
import { testContext } from '@sloth/core/testing';
import type { FakeOutput } from './fake-host.test-helper.js';
import { versionMatches } from './version-match.js';

/**
 * The packages a fake package manager works on: what is installed and what its repositories have (name -> versions,
 * oldest first), with versions written as that manager prints them. Each backend's test puts its command syntax and
 * output format on top.
 */
export class FakePackages {
  readonly installed: Map<string, string>;
  constructor(
    readonly available: Record<string, string[]>,
    installed: Record<string, string> = {},
  ) {
    this.installed = new Map(Object.entries(installed));
  }

  newest(name: string): string | undefined {
    return this.available[name]?.at(-1);
  }

  /** Installs a name at the newest version matching `pin` (any without); false when the repositories have none. */
  install(name: string, pin?: string): boolean {
    const version = (this.available[name] ?? []).filter((v) => pin === undefined || versionMatches(v, pin)).at(-1);
    if (version === undefined) return false;
    this.installed.set(name, version);
    return true;
  }

  /** Installed packages (of `names`, or all) with a newer version available: name -> newest. */
  updates(names?: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, version] of this.installed) {
      const newest = this.newest(name);
      if ((!names || names.length === 0 || names.includes(name)) && newest !== undefined && newest !== version)
        out.set(name, newest);
    }
    return out;
  }
}

/** A test context acting on a fake host; `ran()` lists the command lines run on it since. */
export function fakeContext(host: Host & { ran: string[] }, options: { checkMode?: boolean } = {}) {
  const t = testContext(options);
  const from = host.ran.length;
  return { ...t, ctx: { ...t.ctx, host }, ran: () => host.ran.slice(from) };
}

/** What `rpm -q --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\n' NAMES` prints (rpm's format) over fake packages. */
export function rpmQueryOutput(packages: FakePackages, names: readonly string[]): FakeOutput {
  const lines = names.map((n) => {
    const version = packages.installed.get(n);
    if (version === undefined) return `package ${n} is not installed\n`;
    return `${n}\t${version.includes(':') ? version : `0:${version}`}\n`;
  });
  // rpm's exit code counts the names that are not installed.
  return { stdout: lines.join(''), exitCode: names.filter((n) => !packages.installed.has(n)).length };
}
