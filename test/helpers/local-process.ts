/** Runs the local stack the way `npm start` does, in a child process, and reads what it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LocalProcess {
  child: ChildProcess;
  url: string;
  webhookSecret: string;
  devApiKey: string;
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startLocalProcess(
  env: Record<string, string>,
  args: string[] = [],
): Promise<LocalProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local/start.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const deadline = Date.now() + 20_000;
  while (!/Press Ctrl\+C/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`local stack did not start:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const field = (pattern: RegExp) => pattern.exec(out)?.[1] ?? '';
  return {
    child,
    url: field(/listening on (http:\/\/\S+)/),
    webhookSecret: field(/webhook secret:\s+(\S+)/),
    devApiKey: field(/dev API key:\s+(\S+)/),
    output: () => out,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}
