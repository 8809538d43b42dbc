import type { Hook } from '@oclif/core';
import { closestName } from '@sloth/core/internal';
import { EXIT } from './exit-codes.js';
import { pcErr as pc } from './render/colors.js';

/**
 * oclif's `command_not_found` hook: an unknown command is a usage error (exit 2) in our words, with the nearest
 * command or topic (`wrkflow run` -> `workflow run`), instead of oclif's "command x not found".
 */
export const commandNotFound: Hook.CommandNotFound = async ({ id, argv, config }) => {
  const commands = new Set(config.commands.flatMap((c) => [c.id, ...c.aliases]));
  const topics = new Set(config.topics.map((t) => t.name));
  const names = [...commands, ...topics];
  const parent = id.slice(0, Math.max(0, id.lastIndexOf(':')));
  let near: string | undefined;
  if (topics.has(parent)) {
    // In a topic that exists, only its own commands are meant (`workflow lsit` -> `workflow list`).
    const leaves = names.flatMap((n) => (n.startsWith(`${parent}:`) ? [n.slice(parent.length + 1)] : []));
    const leaf = closestName(id.slice(parent.length + 1), leaves);
    near = leaf === undefined ? undefined : `${parent}:${leaf}`;
  } else {
    near = closestName(id, names);
  }
  // A misspelled topic followed by one of its commands: suggest the whole command.
  const next = argv?.[0];
  if (near && !commands.has(near) && next && commands.has(`${near}:${next}`)) near = `${near}:${next}`;
  const spoken = (name: string) => name.replaceAll(':', ' ');
  // Help on what we suggest; else on the topic the command was looked for in, if it exists; else on everything.
  const help = near ?? (topics.has(parent) ? parent : '');
  process.stderr.write(
    `${pc.red('error:')} unknown command '${spoken(id)}'${near ? ` (did you mean '${spoken(near)}'?)` : ''}\n` +
      `  ${pc.dim('hint:')} see \`${config.bin}${help ? ` ${spoken(help)}` : ''} --help\`\n`,
  );
  process.exitCode = EXIT.usage;
};
