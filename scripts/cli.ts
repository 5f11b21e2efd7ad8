/**
 * What every `npm run` command shares at its edge: `--help` prints the usage and exits 0; an
 * unknown option or a bad value prints one line and the usage and exits 2, never a stack trace.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A bad command line: the message is one line for the user, shown above the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type ParsedCli<O extends Options> =
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string }
  | {
      kind: 'ok';
      values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];
      positionals: string[];
    };

/** node:util's parse errors, shortened to one line that names the option. */
export function describeParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted) {
    return `unexpected argument ${quoted}`;
  }
  return (message.split(/\.\s/)[0] ?? message).replace(/\.$/, '');
}

/** Wants help when `--help` or `-h` comes before a `--` terminator. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Parses `argv` strictly against `options` (no positionals unless `allowPositionals`). */
export function parseCli<O extends Options>(
  argv: readonly string[],
  options: O,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
): ParsedCli<O> {
  if (wantsHelp(argv)) return { kind: 'help' };
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: true,
    });
    if (!allowPositionals && positionals.length > 0) {
      return { kind: 'usage-error', message: `unexpected argument ${positionals[0]}` };
    }
    return { kind: 'ok', values, positionals } as ParsedCli<O>;
  } catch (err: unknown) {
    return { kind: 'usage-error', message: describeParseError(err) };
  }
}

/** The text a usage error prints: `name: message`, a blank line, the usage. */
export function usageErrorText(name: string, message: string, usage: string): string {
  return `${name}: ${message}\n\n${usage}`;
}

/**
 * For entry points: parses `process.argv`, or prints the usage and exits (0 for --help, 2 for
 * a bad command line). `check` may throw UsageError for values the parser cannot judge.
 */
export function parseCliOrExit<O extends Options, T>(
  spec: { name: string; usage: string; options: O; allowPositionals?: boolean },
  check: (parsed: Extract<ParsedCli<O>, { kind: 'ok' }>) => T,
  argv: readonly string[] = process.argv.slice(2),
): T {
  const parsed = parseCli(argv, spec.options, spec);
  if (parsed.kind === 'help') {
    console.log(spec.usage);
    process.exit(0);
  }
  try {
    if (parsed.kind === 'usage-error') throw new UsageError(parsed.message);
    return check(parsed);
  } catch (err: unknown) {
    if (!(err instanceof UsageError)) throw err;
    console.error(usageErrorText(spec.name, err.message, spec.usage));
    process.exit(2);
  }
}

/** A whole number within bounds from an option's text, or a UsageError naming the option. */
export function intOption(name: string, raw: string | undefined, min: number, max: number) {
  const value = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not ${raw}`);
  }
  return value;
}
