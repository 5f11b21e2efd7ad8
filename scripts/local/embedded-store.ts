/**
 * The embedded DynamoDB-compatible store (dynalite) in this process, on a loopback port.
 * One process per on-disk path: dynalite holds a lock on the directory.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface EmbeddedStore {
  endpoint: string;
  close(): Promise<void>;
}

/** `path` is a directory, or `memory` (or undefined) for an in-memory store. */
export async function startEmbeddedStore(
  options: { path?: string; port?: number } = {},
): Promise<EmbeddedStore> {
  const onDisk = options.path !== undefined && options.path !== 'memory';
  if (onDisk) mkdirSync(options.path as string, { recursive: true });
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(onDisk ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
