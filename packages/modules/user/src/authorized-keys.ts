import type { ModuleCallContext } from '@sloth/core';
import { runTool } from './facts.js';

// A key is its type and base64 body; options before it and the comment after it do not make another key, so a key
// already present with another comment is left as it is.
const KEY = /(?:^|\s)((?:ssh|ecdsa|sk-ssh|sk-ecdsa)-[^\s]+\s+[A-Za-z0-9+/=]+)/;

/** What identifies a key line (its type and body; the whole trimmed line when it does not look like a key). */
export function keyIdentity(line: string): string {
  return (KEY.exec(line)?.[1] ?? line.trim()).replace(/\s+/g, ' ');
}

/** The keys of `wanted` that `current` lacks, and the file's lines with them appended (the others are kept). */
export function mergeKeys(current: readonly string[], wanted: readonly string[]): { added: string[]; lines: string[] } {
  const have = new Set(current.map(keyIdentity));
  const added: string[] = [];
  for (const key of wanted) {
    const id = keyIdentity(key);
    if (have.has(id)) continue;
    have.add(id);
    added.push(key.trim());
  }
  return { added, lines: [...current, ...added] };
}

// The file is written next to its place (mktemp makes it 0600), given to the user, then renamed over the old one:
// a reader never sees half a file, and a symlink in its place is replaced rather than written through. A ~/.ssh that
// is a symlink is refused, so root never writes where the user pointed it. (host.writeFile takes a mode but no owner.)
const WRITE_KEYS = `d="$1/.ssh"
if [ -L "$d" ]; then echo "$d is a symbolic link: refusing to write through it" >&2; exit 3; fi
install -d -m 0700 -o "$2" -g "$3" "$d" || exit 1
t=$(mktemp "$d/.authorized_keys.XXXXXX") || exit 1
if cat > "$t" && chown "$2:$3" "$t" && mv -f "$t" "$d/authorized_keys"; then exit 0; fi
rm -f "$t"; exit 1`;

/** Writes ~/.ssh/authorized_keys (0600, in a 0700 ~/.ssh, both owned by the user). */
export async function writeAuthorizedKeys(
  ctx: ModuleCallContext,
  user: { home: string; uid: number; gid: number },
  lines: readonly string[],
): Promise<void> {
  const home = user.home.replace(/\/+$/, '');
  await runTool(ctx, ['sh', '-c', WRITE_KEYS, 'sh', home, String(user.uid), String(user.gid)], {
    stdin: `${lines.join('\n')}\n`,
    what: `writing ${home}/.ssh/authorized_keys`,
  });
}
