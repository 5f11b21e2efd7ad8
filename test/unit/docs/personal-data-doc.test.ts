/** docs/personal-data.md is the data map as `npm run docs` renders it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ITEM_KINDS, LOG_LINES } from '../../../lib/privacy/data-map.ts';
import { renderPersonalDataPage } from '../../../scripts/docs/personal-data.ts';
import { ROOT } from '../../helpers/local-process.ts';

const page = readFileSync(join(ROOT, 'docs/personal-data.md'), 'utf8');

describe('docs/personal-data.md', () => {
  it('is the data map as rendered (run npm run docs when this fails)', () => {
    expect(page).toBe(renderPersonalDataPage());
  });

  it('has a row for every item kind and every log line', () => {
    const rows = page
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'));
    expect(rows).toHaveLength(ITEM_KINDS.length + LOG_LINES.length + 2);
  });

  it('is linked from the README and docs/reliability.md', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('(docs/personal-data.md)');
    expect(readFileSync(join(ROOT, 'docs/reliability.md'), 'utf8')).toContain('(personal-data.md)');
  });
});
