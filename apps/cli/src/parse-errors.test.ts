import { describe, expect, it } from 'vitest';
import { describeParseError, type FlagInfo } from './parse-errors.js';

const FLAGS: Record<string, FlagInfo> = {
  file: { char: 'f', type: 'option' },
  name: { type: 'option' },
  port: { type: 'option', helpValue: '<port>' },
  insecure: { type: 'boolean' },
  output: { char: 'o', type: 'option' },
};
const SEE_MORE = '\nSee more help with --help';

describe('describeParseError', () => {
  it('a missing required flag says how to give it: -f FILE, --name NAME, its help value', () => {
    const one = { message: `The following error occurred:\n  Missing required flag file${SEE_MORE}` };
    expect(describeParseError(one, 'workflow list', FLAGS)).toBe('workflow list needs -f FILE');
    const two = {
      message: `The following errors occurred:\n  Missing required flag name\n  Missing required flag port${SEE_MORE}`,
    };
    expect(describeParseError(two, 'agent start', FLAGS)).toBe('agent start needs --name NAME and --port <port>');
  });

  it('an unknown flag gets the nearest one when it is plausible, never for a one-letter flag', () => {
    const err = (flags: string[]) => ({ message: `Nonexistent flags: ${flags.join(', ')}${SEE_MORE}`, flags });
    expect(describeParseError(err(['--fil']), 'validate', FLAGS)).toBe('unknown flag --fil (did you mean --file?)');
    expect(describeParseError(err(['--outptu=json']), 'validate', FLAGS)).toBe(
      'unknown flag --outptu=json (did you mean --output?)',
    );
    expect(describeParseError(err(['--zz', '-x']), 'validate', FLAGS)).toBe('unknown flag --zz; unknown flag -x');
  });

  it('missing arguments are named as the usage line names them', () => {
    const err = { message: `Missing 2 required args:\nname\naddress${SEE_MORE}`, args: [{ name: 'name' }, { name: 'address' }] };
    expect(describeParseError(err, 'master add', FLAGS)).toBe('master add needs NAME ADDRESS');
  });

  it("any other parse error keeps oclif's reason without its wrapping", () => {
    expect(describeParseError({ message: `Expected --output=xml to be one of: basic, json${SEE_MORE}` }, 'x', FLAGS)).toBe(
      'Expected --output=xml to be one of: basic, json',
    );
    expect(
      describeParseError(
        { message: `The following errors occurred:\n  --a cannot also be provided\n  --b too${SEE_MORE}` },
        'x',
        FLAGS,
      ),
    ).toBe('--a cannot also be provided; --b too');
  });
});
