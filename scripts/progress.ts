/**
 * Progress of a long command (`npm run loadtest`, `npm run bench`): one line per phase with
 * its counts and the time elapsed since the start, on stderr. Only for a person watching: on
 * a terminal, and not in CI (`CI` set to anything but `false` or `0`).
 */

export interface Progress {
  /** Starts a phase: `loadtest [  1.2 s] posting 5000 updates at 50 in flight`. */
  phase(text: string): void;
  /** A count within the current phase, at most one line per `every` ms (the last always). */
  count(text: string, done: number, total: number): void;
}

export function isCi(env: Record<string, string | undefined>): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** On a terminal and not in CI. */
export function progressWanted(
  env: Record<string, string | undefined>,
  stream: { isTTY?: boolean },
): boolean {
  return stream.isTTY === true && !isCi(env);
}

export function createProgress(options: {
  name: string;
  enabled: boolean;
  write?: (line: string) => void;
  now?: () => number;
  every?: number;
}): Progress {
  const now = options.now ?? (() => performance.now());
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const every = options.every ?? 2000;
  const started = now();
  let lastCount = Number.NEGATIVE_INFINITY;
  const line = (text: string) => {
    if (!options.enabled) return;
    const seconds = ((now() - started) / 1000).toFixed(1).padStart(6);
    write(`${options.name} [${seconds} s] ${text}`);
  };
  return {
    phase(text) {
      lastCount = now();
      line(text);
    },
    count(text, done, total) {
      if (done < total && now() - lastCount < every) return;
      lastCount = now();
      line(`${text} ${done}/${total}`);
    },
  };
}

/** A Progress that prints nothing. */
export const silentProgress: Progress = { phase() {}, count() {} };
