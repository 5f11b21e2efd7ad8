/**
 * `npm run build [-- name ...] [--compare]`: bundles each Lambda function with esbuild into
 * `dist/<name>/` and zips it as `dist/<name>.zip` (what serverless.yml deploys). Prints the
 * sizes; `--compare` also builds the baseline (bare telegraf + DocumentClient) in a temporary
 * directory and prints each bundle's ratio to it.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  type BundleResult,
  buildBaseline,
  buildFunctions,
  ROOT,
  type SizeFigures,
  SSM_CHUNK_ENTRY,
  sizeWithLazy,
} from './build/bundle.ts';
import { parseCliOrExit } from './cli.ts';

const USAGE = `usage: npm run build [-- [name ...] [--compare]]

  Bundles each Lambda function (webhook, lookup, dispatcher; or those named) with esbuild into
  dist/<name>/ and zips it as dist/<name>.zip, what serverless.yml deploys, then prints the
  sizes.

options:
  --compare   also build the baseline (bare telegraf + DocumentClient) and print each ratio
  --help      show this text`;

const options = parseCliOrExit(
  {
    name: 'build',
    usage: USAGE,
    options: { compare: { type: 'boolean', default: false } },
    allowPositionals: true,
  },
  ({ values, positionals }) => ({ compare: values.compare === true, names: positionals }),
);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const both = (size: SizeFigures) => `${kb(size.bytes)} / ${kb(size.gzipBytes)} gzip`;

function describe(result: BundleResult, baseline?: BundleResult): string {
  const lines = [
    `${result.name}: ${relative(ROOT, result.entry)}`,
    `  at import      ${both(result.atImport)}`,
    `  all chunks     ${both(result.total)} (${result.files.length} files)`,
  ];
  if (Object.keys(result.metafile.inputs).some((input) => SSM_CHUNK_ENTRY.test(input))) {
    lines.push(
      `  with SSM       ${both(sizeWithLazy(result, SSM_CHUNK_ENTRY))} (deployed cold start)`,
    );
  }
  if (result.zip)
    lines.push(`  zip            ${kb(statSync(result.zip).size)} ${relative(ROOT, result.zip)}`);
  if (baseline) {
    const ratio = (a: SizeFigures, b: SizeFigures) =>
      `${(a.bytes / b.bytes).toFixed(3)}x (gzip ${(a.gzipBytes / b.gzipBytes).toFixed(3)}x)`;
    lines.push(`  vs baseline    ${ratio(result.atImport, baseline.atImport)} at import`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { compare, names } = options;
  const results = await buildFunctions(names.length > 0 ? { names } : {});
  let baseline: BundleResult | undefined;
  let scratch: string | undefined;
  if (compare) {
    scratch = mkdtempSync(join(tmpdir(), 'telegram-contacts-baseline-'));
    baseline = await buildBaseline(join(scratch, 'baseline'));
    console.log(describe(baseline));
  }
  for (const result of results) console.log(describe(result, baseline));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
