/**
 * Every command's edge: `--help` prints the usage and exits 0; an unknown option prints one
 * line and the usage and exits 2, never a stack trace. The entry scripts run as `npm run`
 * runs them; apikey and webhook, whose own tests already run them as processes, in-process.
 */
import { describe, expect, it } from 'vitest';
import { runApiKeyCli } from '../../../scripts/apikey-cli.ts';
import { runWebhookCli } from '../../../scripts/webhook-cli.ts';
import { type CliRun, runScript } from '../../helpers/cli-process.ts';

const SCRIPTS: [name: string, script: string, usage: string][] = [
  ['start', 'scripts/local/start.ts', 'usage: npm start'],
  ['bench', 'scripts/bench/run.ts', 'usage: npm run bench'],
  ['loadtest', 'scripts/loadtest.ts', 'usage: npm run loadtest'],
  ['fuzz', 'scripts/fuzz.ts', 'usage: npm run fuzz'],
  ['demo', 'scripts/demo.ts', 'usage: npm run demo'],
  ['docs', 'scripts/docs.ts', 'usage: npm run docs'],
  ['receiver', 'scripts/receiver.ts', 'usage: npm run receiver'],
  ['build', 'scripts/build.ts', 'usage: npm run build'],
  ['example-types', 'examples/typed-client/generate-types.ts', 'usage: npm run example-types'],
];

/** Two at a time: enough to overlap start-up, little enough to leave the other tests a core. */
async function runAll(): Promise<Map<string, [CliRun, CliRun]>> {
  const queue = [...SCRIPTS];
  const results = new Map<string, [CliRun, CliRun]>();
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [name, script] = next;
      results.set(name, [
        await runScript(script, ['--help']),
        await runScript(script, ['--no-such-option']),
      ]);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

function expectUsageError(stderr: string, name: string, usage: string): void {
  const [first, blank, ...rest] = stderr.split('\n');
  expect(first).toBe(`${name}: unknown option --no-such-option`);
  expect(blank).toBe('');
  expect(rest.join('\n').startsWith(usage)).toBe(true);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('every command line', () => {
  it('answers --help with the usage (exit 0), an unknown option with one line and the usage (exit 2)', async () => {
    const results = await runAll();
    for (const [name, , usage] of SCRIPTS) {
      const [help, bad] = results.get(name) as [CliRun, CliRun];
      expect({ name, code: help.code, stderr: help.stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(help.stdout.startsWith(usage), name).toBe(true);
      expect({ name, code: bad.code, stdout: bad.stdout }).toEqual({ name, code: 2, stdout: '' });
      expectUsageError(bad.stderr, name, usage);
    }
  }, 120_000);

  it.each([
    ['apikey', runApiKeyCli, 'usage: npm run apikey'],
    ['webhook', runWebhookCli, 'usage: npm run webhook'],
  ] as const)('does the same for %s', async (name, run, usage) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { env: {}, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await run(['--help'], io)).toBe(0);
    expect(out.join('\n').startsWith(usage)).toBe(true);
    expect(err).toEqual([]);
    out.length = 0;
    expect(await run(['list', '--no-such-option'], io)).toBe(2);
    expect(out).toEqual([]);
    expectUsageError(err.join('\n'), name, usage);
  });
});
