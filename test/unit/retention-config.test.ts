import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { storeFromConfig } from '../../lib/store/client.ts';

describe('RETENTION_DAYS', () => {
  it('reaches the store the handlers build from config, 400 days by default', () => {
    expect(storeFromConfig(loadConfig({})).retentionDays).toBe(400);
    expect(storeFromConfig(loadConfig({ RETENTION_DAYS: '30' })).retentionDays).toBe(30);
  });

  it('fails at start, naming the variable, when it is not a whole number of days from 1', () => {
    for (const bad of ['0', '-1', '1.5', 'forever', '36501']) {
      expect(() => loadConfig({ RETENTION_DAYS: bad }), bad).toThrow(/RETENTION_DAYS/);
    }
  });
});
