import { describe, expect, it } from 'vitest';
import { compileRegexp, editBlock, editLine, replaceAll } from './line-edits.js';

const present = { state: 'present' as const, backrefs: false };
const SSHD = '#PermitRootLogin yes\nPort 22\nPermitRootLogin yes\nUsePAM yes\n';

describe('lineinfile edits (Ansible semantics)', () => {
  it('replaces the LAST line the regexp matches, and is idempotent when the regexp matches the new line too', () => {
    const edit = { ...present, regexp: /^#?PermitRootLogin/, line: 'PermitRootLogin no' };
    const once = editLine(SSHD, edit);
    expect(once).toBe('#PermitRootLogin yes\nPort 22\nPermitRootLogin no\nUsePAM yes\n');
    expect(editLine(once, edit)).toBe(once);
  });

  it('adds a missing line at the end (adding the last newline), unless the line is there already', () => {
    expect(editLine('a\nb', { ...present, line: 'c' })).toBe('a\nb\nc\n');
    expect(editLine('', { ...present, line: 'c' })).toBe('c\n');
    expect(editLine('a\nc\n', { ...present, line: 'c' })).toBe('a\nc\n');
    expect(editLine('a\nc\n', { ...present, regexp: /^nomatch/, line: 'c' })).toBe('a\nc\n');
  });

  it('inserts after the last insertafter match or before the last insertbefore match; BOF and EOF; no match: at the end', () => {
    const text = '[main]\nx=1\n[extra]\ny=2\n';
    expect(editLine(text, { ...present, line: 'z=3', insertafter: /^\[/ })).toBe('[main]\nx=1\n[extra]\nz=3\ny=2\n');
    expect(editLine(text, { ...present, line: 'z=3', insertbefore: /^\[/ })).toBe('[main]\nx=1\nz=3\n[extra]\ny=2\n');
    expect(editLine(text, { ...present, line: '# top', insertbefore: 'BOF' })).toBe(`# top\n${text}`);
    expect(editLine(text, { ...present, line: 'z=3', insertafter: 'EOF' })).toBe(`${text}z=3\n`);
    expect(editLine(text, { ...present, line: 'z=3', insertafter: /^\[none\]/ })).toBe(`${text}z=3\n`);
    expect(editLine('a\n[x]', { ...present, line: 'z', insertafter: /^\[x\]/ })).toBe('a\n[x]\nz\n');
  });

  it('with backrefs fills the groups from the match, and leaves the file alone when nothing matches', () => {
    const edit = { ...present, backrefs: true, regexp: compileRegexp('^(?P<key>Port)\\s+\\d+'), line: '\\g<key> 2222 # was \\1' };
    expect(editLine(SSHD, edit)).toBe('#PermitRootLogin yes\nPort 2222 # was Port\nPermitRootLogin yes\nUsePAM yes\n');
    expect(editLine(SSHD, { ...present, backrefs: true, regexp: /^(Listen) (\d+)/, line: '$1 $2' })).toBe(SSHD);
  });

  it('absent removes every matching line; search_string matches a substring', () => {
    expect(editLine(SSHD, { ...present, state: 'absent', regexp: /PermitRootLogin/ })).toBe('Port 22\nUsePAM yes\n');
    expect(editLine(SSHD, { ...present, state: 'absent', line: 'Port 22' })).toBe(
      '#PermitRootLogin yes\nPermitRootLogin yes\nUsePAM yes\n',
    );
    expect(editLine(SSHD, { ...present, searchString: 'UsePAM', line: 'UsePAM no' })).toBe(
      SSHD.replace('UsePAM yes', 'UsePAM no'),
    );
  });
});

describe('blockinfile edits', () => {
  const marker = '# {mark} MANAGED BLOCK';
  it('adds the block between markers, replaces it in place, and removes it', () => {
    const base = '127.0.0.1 localhost\n::1 localhost';
    const added = editBlock(base, { block: '10.0.0.5 db\n10.0.0.6 cache\n', marker, state: 'present' });
    expect(added).toBe(
      '127.0.0.1 localhost\n::1 localhost\n# BEGIN MANAGED BLOCK\n10.0.0.5 db\n10.0.0.6 cache\n# END MANAGED BLOCK\n',
    );
    expect(editBlock(added, { block: '10.0.0.5 db\n10.0.0.6 cache', marker, state: 'present' })).toBe(added);
    const replaced = editBlock(`${added}tail\n`, { block: '10.0.0.7 queue', marker, state: 'present' });
    expect(replaced).toBe(
      '127.0.0.1 localhost\n::1 localhost\n# BEGIN MANAGED BLOCK\n10.0.0.7 queue\n# END MANAGED BLOCK\ntail\n',
    );
    expect(editBlock(replaced, { block: '', marker, state: 'absent' })).toBe('127.0.0.1 localhost\n::1 localhost\ntail\n');
    expect(editBlock(base, { block: 'x', marker, state: 'absent' })).toBe(base);
  });

  it('places a new block after / before the last matching line, or at the top', () => {
    const text = 'a\nb\na\n';
    const block = { block: 'X', marker: '// {mark}', state: 'present' as const };
    expect(editBlock(text, { ...block, insertafter: /^a/ })).toBe('a\nb\na\n// BEGIN\nX\n// END\n');
    expect(editBlock(text, { ...block, insertbefore: /^b/ })).toBe('a\n// BEGIN\nX\n// END\nb\na\n');
    expect(editBlock(text, { ...block, insertbefore: 'BOF' })).toBe('// BEGIN\nX\n// END\na\nb\na\n');
  });
});

describe('replace edits', () => {
  it('replaces every match in multiline mode with $1 back-references', () => {
    const text = 'listen = 80\nother = 1\nlisten=81\n';
    expect(replaceAll(text, /^(listen)\s*=.*$/, '$1 = 8080')).toBe('listen = 8080\nother = 1\nlisten = 8080\n');
  });
});
