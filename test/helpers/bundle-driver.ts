/**
 * Runs built Lambda bundles the way Lambda does: a fresh `node` process imports the `.mjs`
 * file (so module-scope config reads that process's environment) and calls `handler` with
 * each event in turn, in one warm instance. Only the variables given are passed on.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const run = promisify(execFile);

const DRIVER = `
import { pathToFileURL } from 'node:url';
const [bundle, eventsJson] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const results = [];
for (const event of JSON.parse(eventsJson)) results.push(await handler(event));
process.stdout.write('\\n@@RESULTS@@' + JSON.stringify(results));
`;

export interface BundleDriver {
  /**
   * Imports `bundle` in a new process with exactly `env` (plus PATH) and runs `events` (HTTP
   * events unless told otherwise); a handler's `undefined` comes back as `null`.
   */
  invoke<E = APIGatewayProxyEventV2, R = APIGatewayProxyStructuredResultV2>(
    bundle: string,
    events: E[],
    env: Record<string, string>,
  ): Promise<R[]>;
  close(): void;
}

export function createBundleDriver(): BundleDriver {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-driver-'));
  const driver = join(dir, 'driver.mjs');
  writeFileSync(driver, DRIVER);
  return {
    async invoke(bundle, events, env) {
      const { stdout } = await run(process.execPath, [driver, bundle, JSON.stringify(events)], {
        env: { PATH: process.env.PATH ?? '', ...env },
        timeout: 30_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const marker = stdout.lastIndexOf('@@RESULTS@@');
      if (marker < 0) throw new Error(`driver printed no results:\n${stdout}`);
      return JSON.parse(stdout.slice(marker + '@@RESULTS@@'.length));
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
