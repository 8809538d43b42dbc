/** The errno a remote tool's message stands for (GNU coreutils and busybox word them alike). */
const ERRNO_BY_TEXT: Array<[RegExp, string]> = [
  [/No such file or directory/i, 'ENOENT'],
  [/Not a directory/i, 'ENOTDIR'],
  [/Is a directory/i, 'EISDIR'],
  [/Permission denied/i, 'EACCES'],
  [/Operation not permitted/i, 'EPERM'],
  [/File exists/i, 'EEXIST'],
  [/No space left/i, 'ENOSPC'],
  [/Read-only file system/i, 'EROFS'],
];

/**
 * A failed file command on an SSH host as the error Node's fs gives locally (code and path), so that modules that
 * map ENOENT or EACCES to their own messages treat both hosts alike; the message names the host and the tool's words.
 */
export function remoteFsError(
  host: string,
  path: string,
  result: { stderr: string; exitCode: number | null },
): NodeJS.ErrnoException {
  const said = result.stderr.trim().split('\n').pop() ?? '';
  const code = ERRNO_BY_TEXT.find(([re]) => re.test(said))?.[1];
  const why = said || (result.exitCode === null ? 'the command was stopped' : `exit code ${result.exitCode}`);
  const err: NodeJS.ErrnoException = new Error(`${code ? `${code}: ` : ''}${why}, '${path}' on ${host}`);
  if (code) err.code = code;
  err.path = path;
  return err;
}
