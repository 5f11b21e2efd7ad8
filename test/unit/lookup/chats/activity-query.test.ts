import { describe, expect, it } from 'vitest';
import { activityQuery } from '../../../../lib/lookup/schemas.ts';

const problems = (query: Record<string, string>) => {
  const parsed = activityQuery.safeParse(query);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
};

describe('activity range', () => {
  it.each([
    [{ from: '2025-01-01', to: 'x' }, ['to must be a date YYYY-MM-DD']],
    [{ from: 'x', to: '2025-01-01' }, ['from must be a date YYYY-MM-DD']],
    [{ from: '2025-13-01', to: '2025-11-30' }, ['from must be a date YYYY-MM-DD']],
    [{ from: '2025-01-01', to: '2026-02-30' }, ['to must be a date YYYY-MM-DD']],
  ])('reports only the bad date in %j, no range problem', (query, expected) => {
    expect(problems(query)).toEqual(expected);
  });

  it('reports a reversed or too long range of valid dates', () => {
    expect(problems({ from: '2025-02-01', to: '2025-01-01' })).toEqual([
      'from must not be after to',
    ]);
    expect(problems({ from: '2024-01-01', to: '2025-01-01' })).toEqual([
      'the range may span at most 366 days',
    ]);
    expect(problems({ from: '2024-01-01', to: '2024-12-31' })).toEqual([]);
  });
});
