import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);

// The agent reaches its master through @sloth/client: it must not pull in the master server (nor, through it, the
// event processor and hook runner).
describe('@sloth/agent dependencies', () => {
  it('declares neither @sloth/master nor @sloth/events, and no source file imports them', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toContain('@sloth/client');
    expect(Object.keys(pkg.dependencies)).not.toContain('@sloth/master');
    expect(Object.keys(pkg.dependencies)).not.toContain('@sloth/events');
    const src = new URL('src/', root);
    const offenders = readdirSync(src)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) =>
        /from '@sloth\/(master|events)[/']|import\('@sloth\/(master|events)[/']/.test(readFileSync(new URL(f, src), 'utf8')),
      );
    expect(offenders).toEqual([]);
  });
});
