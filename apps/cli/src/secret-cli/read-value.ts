import { SlothError } from '@sloth/core';
import { readStdin } from '../read-stdin.js';

/**
 * The value of `secret set NAME` without VALUE: typed without echo on a terminal, else all of stdin (one trailing
 * newline dropped, as `echo` and editors add it). Empty is refused.
 */
export async function readSecretValue(name: string): Promise<string> {
  const raw = process.stdin.isTTY ? await readHidden(`value of ${name} (not shown): `) : await readStdin();
  const value = raw.replace(/\r?\n$/, '');
  if (value === '')
    throw new SlothError('usage', `no value for secret '${name}': stdin was empty`, {
      hint: `pipe it in: \`sloth-runner secret set ${name} < file\`, or type it when asked on a terminal`,
    });
  return value;
}

/** One line typed on the terminal with echo off; Ctrl-C cancels, Ctrl-D or Enter ends it. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (fn: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      fn();
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\u0003') return done(() => reject(new SlothError('aborted', 'cancelled')));
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done(() => resolve(value));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
