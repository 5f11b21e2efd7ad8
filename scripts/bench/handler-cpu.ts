/**
 * CPU time a handler itself spends on one ordinary message (parsing, facts, the bot, the AWS
 * SDK's serialization and signing; not the store's work): the embedded store runs in a child
 * process, so this process's CPU usage is the function's share. Measured for the webhook and
 * for the baseline (bare telegraf, one UpdateItem); the cost model turns it into Lambda
 * duration. Messages go one at a time, as one Lambda instance takes them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { UserFromGetMe } from 'telegraf/types';
import { createDocumentClient } from '../../lib/store/client.ts';
import { ensureTable } from '../../lib/store/table-setup.ts';
import { webhookEvent } from '../../test/helpers/events.ts';
import { FAKE_BOT_USER, startFakeBotApi } from '../../test/helpers/fake-bot-api.ts';
import { createTestWebhook } from '../../test/helpers/webhook.ts';
import { createBaselineHandler } from '../build/baseline-entry.ts';
import { ROOT } from '../build/bundle.ts';
import { groupUpdate, type MessagePool } from './workload.ts';

export interface CpuFigures {
  messages: number;
  /** Mean CPU (user + system) of this process per message, in ms. */
  cpuMs: number;
  /** Mean wall time per message against the store on loopback, in ms. */
  wallMs: number;
}

export interface HandlerCpuReport {
  webhook: CpuFigures;
  baseline: CpuFigures;
}

const STORE_CHILD = `
const { startEmbeddedStore } = await import('./scripts/local/embedded-store.ts');
const store = await startEmbeddedStore({ path: 'memory' });
process.stdout.write(store.endpoint + '\\n');
`;

/** The embedded store in a child process (so this process's CPU is the handlers' alone). */
export async function storeProcess(): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', STORE_CHILD],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`store process exited with ${code}`)));
  });
  return { endpoint, child };
}

type Handler = (event: ReturnType<typeof webhookEvent>) => Promise<{ statusCode?: number }>;

/** Mean CPU and wall time per message of `handler`, after `warmup` messages. */
async function perMessage(
  handler: Handler,
  options: { messages: number; warmup: number; pool: MessagePool; firstUpdateId: number },
): Promise<CpuFigures> {
  let updateId = options.firstUpdateId;
  const post = async (i: number) => {
    const response = await handler(webhookEvent(groupUpdate(options.pool, i, updateId++)));
    if (response.statusCode !== 200) throw new Error(`handler answered ${response.statusCode}`);
  };
  for (let i = 0; i < options.warmup; i++) await post(i);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < options.messages; i++) await post(i);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return {
    messages: options.messages,
    cpuMs: (used.user + used.system) / 1000 / options.messages,
    wallMs: wall / options.messages,
  };
}

export async function measureHandlerCpu(options: {
  messages: number;
  warmup: number;
  pool: MessagePool;
}): Promise<HandlerCpuReport> {
  const { endpoint, child } = await storeProcess();
  const botApi = await startFakeBotApi();
  const client = createDocumentClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  try {
    await ensureTable(client, 'bench-webhook');
    await ensureTable(client, 'bench-baseline');
    const webhook = await createTestWebhook({
      store: { client, tableName: 'bench-webhook' },
      botApiUrl: botApi.url,
    });
    const baseline = createBaselineHandler({
      client,
      tableName: 'bench-baseline',
      botInfo: { ...FAKE_BOT_USER, can_join_groups: true } as UserFromGetMe,
    });
    return {
      webhook: await perMessage(webhook, { ...options, firstUpdateId: 3_000_000 }),
      baseline: await perMessage(baseline, { ...options, firstUpdateId: 4_000_000 }),
    };
  } finally {
    client.destroy();
    await botApi.close();
    child.kill('SIGTERM');
  }
}
