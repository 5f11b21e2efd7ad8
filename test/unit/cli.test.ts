import { describe, expect, it } from 'vitest';
import { parseCli, wantsHelp } from '../../scripts/cli.ts';
import { createProgress, isCi, progressWanted } from '../../scripts/progress.ts';

const options = { runs: { type: 'string' }, quick: { type: 'boolean' } } as const;

describe('command lines', () => {
  it('want help for --help or -h before a -- terminator', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['list', '-h'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(parseCli(['--runs', '5', '--help'], options)).toEqual({ kind: 'help' });
  });

  it('say in one line which option is wrong', () => {
    expect(parseCli(['--bogus'], options)).toEqual({
      kind: 'usage-error',
      message: 'unknown option --bogus',
    });
    expect(parseCli(['extra'], options)).toEqual({
      kind: 'usage-error',
      message: 'unexpected argument extra',
    });
    const missing = parseCli(['--runs'], options);
    expect(missing.kind).toBe('usage-error');
    expect(missing.kind === 'usage-error' && missing.message).not.toContain('\n');
    expect(parseCli(['--runs', '5', '--quick'], options)).toMatchObject({
      kind: 'ok',
      values: { runs: '5', quick: true },
    });
  });
});

describe('progress', () => {
  it('shows on a terminal outside CI only', () => {
    expect(progressWanted({}, { isTTY: true })).toBe(true);
    expect(progressWanted({}, { isTTY: false })).toBe(false);
    expect(progressWanted({ CI: 'true' }, { isTTY: true })).toBe(false);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({ CI: '1' })).toBe(true);
  });

  it('prints a line per phase with the elapsed time, counts at most every interval', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = createProgress({
      name: 'loadtest',
      enabled: true,
      write: (line) => lines.push(line),
      now: () => now,
      every: 1000,
    });
    progress.phase('posting 3 updates');
    now = 500;
    progress.count('posted', 1, 3);
    now = 1600;
    progress.count('posted', 2, 3);
    now = 1700;
    progress.count('posted', 3, 3);
    expect(lines).toEqual([
      'loadtest [   0.0 s] posting 3 updates',
      'loadtest [   1.6 s] posted 2/3',
      'loadtest [   1.7 s] posted 3/3',
    ]);
    const quiet: string[] = [];
    createProgress({ name: 'x', enabled: false, write: (l) => quiet.push(l) }).phase('p');
    expect(quiet).toEqual([]);
  });
});
