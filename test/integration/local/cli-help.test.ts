/**
 * Every command's edge, run as `npm run` runs it: `--help` prints the usage and exits 0; an
 * unknown option prints one line and the usage and exits 2, never a stack trace.
 */
import { describe, expect, it } from 'vitest';
import { type CliRun, runScript } from '../../helpers/cli-process.ts';

const COMMANDS: [name: string, script: string, usage: string][] = [
  ['start', 'scripts/local/start.ts', 'usage: npm start'],
  ['webhook', 'scripts/webhook.ts', 'usage: npm run webhook'],
  ['apikey', 'scripts/apikey.ts', 'usage: npm run apikey'],
  ['bench', 'scripts/bench/run.ts', 'usage: npm run bench'],
  ['loadtest', 'scripts/loadtest.ts', 'usage: npm run loadtest'],
  ['fuzz', 'scripts/fuzz.ts', 'usage: npm run fuzz'],
  ['demo', 'scripts/demo.ts', 'usage: npm run demo'],
  ['docs', 'scripts/docs.ts', 'usage: npm run docs'],
];

// All at once: each is a short process, and they are independent.
const runs = new Map<string, Promise<[CliRun, CliRun]>>(
  COMMANDS.map(([name, script]) => [
    name,
    Promise.all([runScript(script, ['--help']), runScript(script, ['--no-such-option'])]),
  ]),
);

describe.each(COMMANDS)('npm run %s', (name, _script, usage) => {
  it('prints its usage for --help and exits 0', async () => {
    const [help] = (await runs.get(name)) as [CliRun, CliRun];
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout.startsWith(usage)).toBe(true);
  });

  it('answers an unknown option with one line and the usage, exit 2, no stack trace', async () => {
    const [, bad] = (await runs.get(name)) as [CliRun, CliRun];
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    const [first, blank, ...rest] = bad.stderr.split('\n');
    expect(first).toBe(`${name}: unknown option --no-such-option`);
    expect(blank).toBe('');
    expect(rest.join('\n').startsWith(usage)).toBe(true);
    expect(bad.stderr).not.toMatch(/^\s+at /m);
  });
});
