import { describe, expect, it } from 'vitest';
import { directArgv } from './direct-command.js';

describe('directArgv', () => {
  it('splits plain command lines into argv', () => {
    expect(directArgv('/bin/true')).toEqual(['/bin/true']);
    expect(directArgv('  go build -o app ./cmd/main.go ')).toEqual(['go', 'build', '-o', 'app', './cmd/main.go']);
    expect(directArgv('make VAR=1 all')).toEqual(['make', 'VAR=1', 'all']);
  });

  it('keeps the shell for anything the shell would interpret', () => {
    for (const line of [
      'echo "hi"',
      "ls 'a b'",
      'echo $HOME',
      'ls *.txt',
      'cat a > b',
      'a | b',
      'a && b',
      'a; b',
      'cd /tmp',
      'exit 3',
      'FOO=1 make',
      'ls ~',
      'echo hi',
      'sleep 1 &',
      'a\nb',
      'printf x',
      '',
    ]) {
      expect(directArgv(line), line).toBeUndefined();
    }
  });
});
