// The configure case's managed files: where they are, and their facts before and after a run (what moved, and
// whether two roots hold the same thing).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The `4 * per` managed paths under `root`: each directory and the three files in it. */
export function managedPaths(root, per) {
  const out = [];
  for (let i = 1; i <= per; i++) {
    const dir = join(root, `d${String(i).padStart(2, '0')}`);
    out.push(dir, join(dir, 'app.conf'), join(dir, 'site.conf'), join(dir, 'env'));
  }
  return out;
}

/** path -> { mtime, ctime (nanoseconds), ino }; throws naming the first managed path that is missing. */
export function snapshot(root, per) {
  const out = new Map();
  for (const p of managedPaths(root, per)) {
    let st;
    try {
      st = statSync(p, { bigint: true });
    } catch {
      throw new Error(`${p} does not exist after the run`);
    }
    out.set(p, { mtime: st.mtimeNs, ctime: st.ctimeNs, ino: st.ino });
  }
  return out;
}

/** How many managed paths were written or replaced (mtime or inode), and whose ctime (a chmod or chown) moved. */
export function moved(before, after) {
  let written = 0;
  let ctime = 0;
  for (const [p, b] of before) {
    const a = after.get(p);
    if (a.mtime !== b.mtime || a.ino !== b.ino) written++;
    if (a.ctime !== b.ctime) ctime++;
  }
  return { written, ctime };
}

/** Managed paths whose content or mode differ between the two roots (both sides must configure the same thing). */
export function differences(a, b, per) {
  const out = [];
  for (const p of managedPaths(a, per)) {
    const q = join(b, p.slice(a.length));
    try {
      const [sa, sb] = [statSync(p), statSync(q)];
      const same =
        (sa.mode & 0o7777) === (sb.mode & 0o7777) &&
        sa.isDirectory() === sb.isDirectory() &&
        (sa.isDirectory() || readFileSync(p).equals(readFileSync(q)));
      if (!same) out.push(p.slice(a.length + 1));
    } catch {
      out.push(p.slice(a.length + 1));
    }
  }
  return out;
}
