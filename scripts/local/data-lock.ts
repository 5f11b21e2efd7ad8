/**
 * Whether another process holds an embedded store's data directory. LevelDB (under dynalite)
 * allows one process per directory; dynalite itself would only crash later with "Database is
 * closed", so the local stack asks LevelDB first and stops with a clear message.
 */
import { Level } from 'level';
import { AppError } from '../../lib/errors.ts';

/** The data directory is held by another process (or another store in this one). */
export class DataDirectoryInUseError extends AppError {
  readonly directory: string;

  constructor(directory: string, message: string) {
    super(message);
    this.name = 'DataDirectoryInUseError';
    this.directory = directory;
  }
}

function isLockError(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return (err as { code?: unknown }).code === 'LEVEL_LOCKED' || cause?.code === 'LEVEL_LOCKED';
}

/** Opens and closes the LevelDB in `directory`; true when its lock is held elsewhere. */
export async function isDataDirectoryHeld(directory: string): Promise<boolean> {
  const db = new Level(directory, { createIfMissing: true });
  try {
    await db.open();
    return false;
  } catch (err: unknown) {
    if (isLockError(err)) return true;
    throw err;
  } finally {
    await db.close().catch(() => {});
  }
}
