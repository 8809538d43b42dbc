/**
 * Like GNU make, we run a command line without /bin/sh when the shell would do nothing but split it
 * on spaces: it saves an exec per command (~30% of a short command's cost). Anything the shell would
 * interpret (quotes, $, globs, redirections, pipes, ~, assignments, builtins and keywords) keeps the shell.
 */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

// Builtins and keywords of POSIX sh (and common bash ones): as the first word they need the shell,
// either because no program of that name exists or because the builtin behaves differently.
const SHELL_WORDS = new Set(
  (
    '! . : [ [[ ]] { } alias bg break builtin case cd command continue declare dirs disown do done echo elif else ' +
    'enable esac eval exec exit export false fc fg fi for function getopts hash history if jobs kill let local ' +
    'logout popd printf pushd pwd read readarray readonly return select set shift shopt source suspend test then ' +
    'time times trap true type typeset ulimit umask unalias unset until wait while'
  ).split(' '),
);

/** The argv to run `command` with directly, or undefined when it needs a shell. */
export function directArgv(command: string): string[] | undefined {
  const words = command.trim().split(/[ \t]+/);
  const first = words[0];
  if (!first || command.includes('\n')) return undefined;
  if (!words.every((w) => PLAIN_WORD.test(w))) return undefined;
  if (SHELL_WORDS.has(first) || first.includes('=')) return undefined;
  return words;
}
