/**
 * Cold start: each function's bundle and the baseline (bare telegraf + DocumentClient) built
 * in the same run into a temporary directory (never dist/), their bytes, and the time a fresh
 * `node` process takes to import each one, measured inside the process around `import()`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type BundleResult,
  buildBaseline,
  buildFunctions,
  inputsBy,
  staticClosure,
} from '../build/bundle.ts';
import { median, percentile } from './stats.ts';

const run = promisify(execFile);

const DRIVER = `
import { pathToFileURL } from 'node:url';
const started = performance.now();
await import(pathToFileURL(process.argv[2]).href);
process.stdout.write(JSON.stringify({ importMs: performance.now() - started }));
`;

/** The environment a deployed function starts with (no secrets are read at import). */
const LAMBDA_LIKE_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_SERVICE_NAME: 'telegram-contacts',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  TABLE_NAME: 'telegram-contacts-bench',
  TELEGRAM_BOT_USERNAME: 'bench_bot',
};

export interface BundleFigures {
  name: string;
  /** Entry plus statically imported chunks: what a cold start loads. */
  bytes: number;
  gzipBytes: number;
  /** Every JavaScript file shipped, lazy chunks included. */
  totalBytes: number;
  importMs: { median: number; p90: number; min: number; runs: number };
}

export interface ColdStartReport {
  bundles: BundleFigures[];
  baseline: BundleFigures;
  /** What the webhook adds to the baseline at import, by source (bytes). */
  webhookExcess: { ownCode: number; zod: number; logger: number; otherDependencies: number };
}

function excessOver(webhook: BundleResult, baseline: BundleResult) {
  const at = (r: BundleResult) => inputsBy(r, staticClosure(r.metafile, [r.entryOutput]));
  const ours = at(webhook);
  const theirs = at(baseline);
  const excess = { ownCode: 0, zod: 0, logger: 0, otherDependencies: 0 };
  for (const [input, bytes] of ours) {
    const extra = bytes - (theirs.get(input) ?? 0);
    if (/^(lib|functions|scripts)\//.test(input)) excess.ownCode += extra;
    else if (input === 'zod') excess.zod += extra;
    else if (input.startsWith('@aws-lambda-powertools/')) excess.logger += extra;
    else excess.otherDependencies += extra;
  }
  for (const [input, bytes] of theirs) {
    if (!ours.has(input)) excess.otherDependencies -= bytes;
  }
  return excess;
}

export async function measureColdStart(options: { runs: number }): Promise<ColdStartReport> {
  const dir = mkdtempSync(join(tmpdir(), 'telegram-contacts-bench-'));
  try {
    const functions = await buildFunctions({ outDir: join(dir, 'dist') });
    const baseline = await buildBaseline(join(dir, 'baseline'));
    const driver = join(dir, 'import-driver.mjs');
    writeFileSync(driver, DRIVER);
    const all = [...functions, baseline];
    const times = new Map<string, number[]>(all.map((b) => [b.name, []]));
    // Round-robin, so that drift on a busy machine touches every bundle alike.
    for (let i = 0; i < options.runs; i++) {
      for (const bundle of all) {
        const { stdout } = await run(process.execPath, [driver, bundle.entry], {
          env: { PATH: process.env.PATH ?? '', ...LAMBDA_LIKE_ENV },
          timeout: 30_000,
        });
        times.get(bundle.name)?.push((JSON.parse(stdout) as { importMs: number }).importMs);
      }
    }
    const figures = (bundle: BundleResult): BundleFigures => {
      const ms = times.get(bundle.name) ?? [];
      return {
        name: bundle.name,
        bytes: bundle.atImport.bytes,
        gzipBytes: bundle.atImport.gzipBytes,
        totalBytes: bundle.total.bytes,
        importMs: {
          median: median(ms),
          p90: percentile(ms, 90),
          min: Math.min(...ms),
          runs: ms.length,
        },
      };
    };
    const webhook = functions.find((f) => f.name === 'webhook');
    if (!webhook) throw new Error('no webhook bundle');
    return {
      bundles: functions.map(figures),
      baseline: figures(baseline),
      webhookExcess: excessOver(webhook, baseline),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
