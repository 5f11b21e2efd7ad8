/**
 * esbuild bundles for Lambda: one directory per function (`dist/<name>/index.mjs` plus lazily
 * loaded chunks, source maps and `meta.json`) and a deterministic `dist/<name>.zip`.
 *
 * Code splitting is on so that code reached only through `import()` stays out of the cold
 * start: the SSM client (lib/secrets.ts loads Powertools Parameters only when a `*_PARAM` name
 * is configured) and the AWS SDK's credential providers that Lambda never uses (SSO, INI,
 * IMDS, ...). The same options build the baseline the webhook's size budget is measured
 * against (bare telegraf + the DynamoDB DocumentClient; see {@link buildBaseline}).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { createZip } from './zip.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every Lambda function, by name: `functions/<name>.ts` -> `dist/<name>/`, `dist/<name>.zip`. */
export const FUNCTION_NAMES = ['webhook', 'lookup', 'dispatcher'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const DEFAULT_OUT_DIR = join(ROOT, 'dist');
/** lib/secrets.ts's `import()` of the SSM provider: loaded at cold start only when deployed. */
export const SSM_CHUNK_ENTRY = /@aws-lambda-powertools\/parameters\/lib\/esm\/ssm\//;
export const BASELINE_ENTRY = join(ROOT, 'scripts/build/baseline-entry.ts');

/** ESM has no `require`; CommonJS dependencies (telegraf, node-fetch) still call it. */
const REQUIRE_BANNER =
  "import{createRequire}from'module';const require=createRequire(import.meta.url);";

export const ESBUILD_OPTIONS: BuildOptions = {
  absWorkingDir: ROOT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  // Stack traces map back through NODE_OPTIONS=--enable-source-maps; the maps need only the
  // mappings, not the sources (that would triple their size and Lambda's load time).
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  // Prefer packages' ESM builds: they tree-shake, the CommonJS ones do not.
  mainFields: ['module', 'main'],
  alias: { 'whatwg-url': join(ROOT, 'scripts/build/whatwg-url-shim.cjs') },
  banner: { js: REQUIRE_BANNER },
  logLevel: 'warning',
};

export interface SizeFigures {
  bytes: number;
  gzipBytes: number;
}

export interface BundleFile extends SizeFigures {
  /** Path relative to the bundle directory. */
  name: string;
  /** Loaded by `import()` of the entry (the entry and the chunks it imports statically). */
  atImport: boolean;
}

export interface BundleResult {
  name: string;
  /** Absolute directory holding index.mjs, chunks, maps and meta.json. */
  dir: string;
  /** Absolute path of index.mjs. */
  entry: string;
  /** index.mjs as the metafile names it (relative to ROOT). */
  entryOutput: string;
  /** Absolute path of the zip, when one was written. */
  zip?: string;
  /** The JavaScript files (maps and meta.json left out). */
  files: BundleFile[];
  /** What a cold start parses: the entry and its static imports. */
  atImport: SizeFigures;
  /** Every JavaScript file shipped, lazy chunks included. */
  total: SizeFigures;
  metafile: Metafile;
}

function sum(files: readonly SizeFigures[]): SizeFigures {
  return files.reduce(
    (acc, f) => ({ bytes: acc.bytes + f.bytes, gzipBytes: acc.gzipBytes + f.gzipBytes }),
    {
      bytes: 0,
      gzipBytes: 0,
    },
  );
}

/** Output files (metafile keys) reachable from `start` through static imports only. */
export function staticClosure(metafile: Metafile, start: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...start];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const edge of metafile.outputs[file]?.imports ?? []) {
      if (edge.kind === 'import-statement' && !edge.external) pending.push(edge.path);
    }
  }
  return seen;
}

/**
 * Bytes loaded by a cold start that also runs the `import()` whose target module path matches
 * `lazyEntry` (e.g. the SSM provider when a `*_PARAM` is configured, as deployed).
 */
export function sizeWithLazy(result: BundleResult, lazyEntry: RegExp): SizeFigures {
  const { outputs } = result.metafile;
  const lazyStarts = Object.keys(outputs).filter((file) => {
    const entryPoint = outputs[file]?.entryPoint;
    return entryPoint !== undefined && lazyEntry.test(entryPoint) && !file.endsWith('/index.mjs');
  });
  if (lazyStarts.length === 0) throw new Error(`no lazy chunk for ${lazyEntry} in ${result.name}`);
  const loaded = staticClosure(result.metafile, [result.entryOutput, ...lazyStarts]);
  return sum(result.files.filter((f) => loaded.has(outputKey(join(result.dir, f.name)))));
}

/** Source bytes each input (package name, or path for our own files) adds to `files`. */
export function inputsBy(result: BundleResult, files: ReadonlySet<string>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!files.has(file)) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input;
      totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return new Map([...totals].sort((a, b) => b[1] - a[1]));
}

/** The metafile's name for an absolute output path (relative to ROOT, `/`-separated). */
function outputKey(absolute: string): string {
  return relative(ROOT, absolute).split('\\').join('/');
}

function measure(name: string, dir: string, metafile: Metafile): BundleResult {
  const entry = join(dir, 'index.mjs');
  const entryOutput = outputKey(entry);
  if (!metafile.outputs[entryOutput]) throw new Error(`esbuild wrote no ${entryOutput}`);
  const atImport = staticClosure(metafile, [entryOutput]);
  const files: BundleFile[] = Object.keys(metafile.outputs)
    .filter((file) => file.endsWith('.mjs'))
    .sort()
    .map((file) => {
      const data = readFileSync(join(ROOT, file));
      return {
        name: relative(dir, join(ROOT, file)),
        bytes: data.length,
        gzipBytes: gzipSync(data).length,
        atImport: atImport.has(file),
      };
    });
  return {
    name,
    dir,
    entry,
    entryOutput,
    files,
    atImport: sum(files.filter((f) => f.atImport)),
    total: sum(files),
    metafile,
  };
}

/** Bundles `entry` into `dir` (emptied first, so no stale chunk survives) and measures it. */
export async function buildBundle(options: {
  name: string;
  entry: string;
  dir: string;
}): Promise<BundleResult> {
  rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  const result = await build({
    ...ESBUILD_OPTIONS,
    entryPoints: { index: options.entry },
    outdir: options.dir,
  });
  const metafile = result.metafile as Metafile;
  writeFileSync(join(options.dir, 'meta.json'), JSON.stringify(metafile));
  return measure(options.name, options.dir, metafile);
}

/** Zips a bundle directory for Lambda: code and source maps at the root, meta.json left out. */
export function zipBundle(dir: string, zipPath: string): void {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.mjs') || name.endsWith('.mjs.map'))
    .sort();
  const zip = createZip(names.map((name) => ({ name, data: readFileSync(join(dir, name)) })));
  writeFileSync(zipPath, zip);
}

/** Builds and zips each function (all of {@link FUNCTION_NAMES} by default). */
export async function buildFunctions(
  options: { outDir?: string; names?: readonly string[] } = {},
): Promise<BundleResult[]> {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const names = options.names ?? FUNCTION_NAMES;
  const unknown = names.filter((name) => !(FUNCTION_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`unknown function ${unknown.join(', ')} (known: ${FUNCTION_NAMES.join(', ')})`);
  }
  const results: BundleResult[] = [];
  for (const name of names) {
    const entry = join(ROOT, 'functions', `${name}.ts`);
    if (!existsSync(entry)) throw new Error(`functions/${name}.ts does not exist`);
    const result = await buildBundle({ name, entry, dir: join(outDir, name) });
    const zip = join(outDir, `${name}.zip`);
    zipBundle(result.dir, zip);
    results.push({ ...result, zip });
  }
  return results;
}

/**
 * The floor for the webhook's size budget (issue 5): bare telegraf plus the DynamoDB
 * DocumentClient, one UpdateItem per update, built with exactly the functions' options.
 */
export function buildBaseline(dir: string): Promise<BundleResult> {
  return buildBundle({ name: 'baseline', entry: BASELINE_ENTRY, dir });
}
