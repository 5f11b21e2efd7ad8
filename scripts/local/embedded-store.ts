/**
 * The embedded DynamoDB-compatible store (dynalite) in this process, on a loopback port.
 * One process per on-disk path: LevelDB locks the directory, and a second store on it fails
 * here with DataDirectoryInUseError instead of crashing inside dynalite later.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { DataDirectoryInUseError, isDataDirectoryHeld } from './data-lock.ts';
import { readStackState } from './local-state.ts';

export interface EmbeddedStore {
  endpoint: string;
  close(): Promise<void>;
}

/** Names the stack holding `directory` when it said where it runs, and the ways out. */
function inUseMessage(directory: string): string {
  const other = readStackState(directory);
  const holder = other ? `another npm start (${other.url}, pid ${other.pid})` : 'another process';
  return (
    `the data directory ${directory} is in use by ${holder}: stop it, or start this one with ` +
    'LOCAL_DB_PATH=<another directory>, or LOCAL_DB_PATH=memory to keep nothing on disk'
  );
}

/** `path` is a directory, or `memory` (or undefined) for an in-memory store. */
export async function startEmbeddedStore(
  options: { path?: string; port?: number } = {},
): Promise<EmbeddedStore> {
  const onDisk = options.path !== undefined && options.path !== 'memory';
  if (onDisk) {
    const path = options.path as string;
    mkdirSync(path, { recursive: true });
    if (await isDataDirectoryHeld(path))
      throw new DataDirectoryInUseError(path, inUseMessage(path));
  }
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
