import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import type { ModuleCallContext } from '@sloth/core';

// Real users and groups on this machine (the tests run as root, as CI does), with throw-away names.

const made = new Set<string>();

/** A fresh user or group name no test used, remembered for `cleanUp`. */
export function throwAwayName(): string {
  const name = `slothtest_${randomBytes(4).toString('hex')}`;
  made.add(name);
  return name;
}

/** Deletes every user and group the names of `throwAwayName` got (whatever a failed test left). */
export function cleanUp(): void {
  for (const name of made) {
    spawnSync('userdel', ['-r', name], { stdio: 'ignore' });
    spawnSync('groupdel', [name], { stdio: 'ignore' });
  }
  made.clear();
}

/** `getent DB KEY`, or undefined when there is no such entry. */
export function getent(db: 'passwd' | 'group' | 'shadow', key: string): string | undefined {
  const r = spawnSync('getent', [db, key], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Runs a tool as the tests' own hand would (changing things behind the module's back). */
export const byHand = (argv: string[]) => execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });

const ACCOUNT_FILES = ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow'];

/** The account databases' mtimes: unchanged when nothing modified them. */
export const accountMtimes = () => ACCOUNT_FILES.map((f) => `${f}:${statSync(f).mtimeMs}`);

const MODIFYING = new Set(['useradd', 'usermod', 'userdel', 'groupadd', 'groupmod', 'groupdel', 'gpasswd', 'chpasswd']);

/** The context with its host recording each command run, and which of them change accounts. */
export function recordingHost(ctx: ModuleCallContext) {
  const commands: string[][] = [];
  const recorded: ModuleCallContext = {
    ...ctx,
    host: {
      ...ctx.host,
      name: ctx.host.name,
      run: (command, options) => {
        commands.push(typeof command === 'string' ? ['sh', '-c', command] : [...command]);
        return ctx.host.run(command, options);
      },
    },
  };
  // The key writer is a shell script (mktemp, chown, mv): it counts as modifying.
  const modifying = () => commands.filter((c) => MODIFYING.has(c[0] as string) || c.join(' ').includes('mktemp'));
  return { ctx: recorded, commands, modifying };
}
