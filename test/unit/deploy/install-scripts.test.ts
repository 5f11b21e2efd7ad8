/**
 * `npm install` (npm 11) runs a dependency's install script only when package.json's
 * `allowScripts` approves it, and warns about every one it does not cover. Each package of
 * the lockfile with an install script has a decision there, so the install is quiet and
 * what runs is chosen: classic-level (the embedded store's LevelDB binding: picks its
 * prebuilt binary, or builds one) and esbuild (checks its platform binary) run; es5-ext's
 * postinstall only prints a message, and is denied.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/local-process.ts';

const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

describe('install scripts', () => {
  it('has an allowScripts decision for every locked package with an install script', () => {
    const lock = read('package-lock.json') as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const allow = (read('package.json') as { allowScripts?: Record<string, boolean> }).allowScripts;
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));

    expect(withScripts.length).toBeGreaterThan(0);
    expect(withScripts.filter((name) => typeof allow?.[name] !== 'boolean')).toEqual([]);
    expect(allow).toEqual({ 'classic-level': true, esbuild: true, 'es5-ext': false });
  });
});
