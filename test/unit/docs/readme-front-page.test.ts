/**
 * The README is a front page: short, the quick start on its first screen, and every guide
 * that used to live in it reachable from it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/local-process.ts';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const lines = readme.split('\n');

describe('README as a front page', () => {
  it('is at most 300 lines', () => {
    expect(lines.length).toBeLessThanOrEqual(300);
  });

  it('shows the quick start and its three commands on the first screen (40 lines)', () => {
    const firstScreen = lines.slice(0, 40).join('\n');
    expect(firstScreen).toContain('## Quick start');
    for (const command of ['npm install', 'npm start', 'npm test']) {
      expect(firstScreen).toContain(command);
    }
  });

  it('links every page of docs/', () => {
    const pages = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    expect(pages.length).toBeGreaterThan(8);
    const missing = pages.filter((name) => !readme.includes(`(docs/${name})`));
    expect(missing).toEqual([]);
  });
});
