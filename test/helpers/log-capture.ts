/**
 * Captures what the process writes to stdout and stderr (the Powertools logger writes its
 * JSON lines there) and turns the logger up to DEBUG meanwhile, so tests can assert on
 * every log line: that a warning was logged, and that no secret ever was.
 */
import { logger } from '../../lib/logger.ts';

export interface LogCapture {
  /** Everything written since the capture started. */
  text(): string;
  /** The JSON log lines written since the capture started. */
  entries(): Record<string, unknown>[];
  /** Restores the streams and the log level. */
  stop(): void;
}

export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const capture = (chunk: unknown, ...rest: unknown[]): boolean => {
    chunks.push(
      typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
    );
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  const text = () => chunks.join('');
  return {
    text,
    entries: () =>
      text()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    stop() {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      logger.setLogLevel(level);
    },
  };
}
