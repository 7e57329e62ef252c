import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { KeyhouseError } from '../core/errors.js';
import type { Store } from '../core/model.js';

export type { Store } from '../core/model.js';

export interface OpenStoreOptions {
  logger?: Logger;
  /** PostgreSQL only: the schema holding Keyhouse's tables. Default `public`. */
  schema?: string;
  /**
   * SQLite only: hold the file for this process (`<file>.lock`, released by the OS when the process
   * dies) and refuse to open it when another process holds it. The running bot sets it; tools that
   * only read (tests peeking at a file, an audit export) do not. Ignored for PostgreSQL.
   */
  exclusive?: boolean;
}

/**
 * Opens the store `DATABASE_URL` names and brings its schema up to date:
 * `sqlite:<path>` (relative to the working directory or absolute; missing parent directories are
 * created), `sqlite::memory:` (a private in-memory database, for tests), or
 * `postgres://…` / `postgresql://…`. Only the driver in use is loaded. Errors name the path.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const store = await createStore(databaseUrl, options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

async function createStore(databaseUrl: string, options: OpenStoreOptions): Promise<Store> {
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    // Loaded on demand: a SQLite deployment never pays for pg (and the reverse for better-sqlite3).
    const { PostgresStore } = await import('./postgres.js');
    return new PostgresStore(databaseUrl, { logger: options.logger, schema: options.schema });
  }
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path === '') throw new KeyhouseError('config_invalid', 'DATABASE_URL sqlite: needs a file path');
    const { SqliteStore } = await import('./sqlite.js');
    if (path === ':memory:') return new SqliteStore(':memory:', { logger: options.logger });
    const file = resolve(path);
    if (existsSync(file) && statSync(file).isDirectory()) {
      throw new KeyhouseError(
        'config_invalid',
        `DATABASE_URL names a directory (${file}); give a file in it, such as sqlite:${path.replace(/\/+$/, '')}/keyhouse.db`,
      );
    }
    prepareDirectory(dirname(file));
    return new SqliteStore(file, { logger: options.logger, lock: options.exclusive === true });
  }
  throw new KeyhouseError('config_invalid', 'DATABASE_URL must start with sqlite: or postgres://');
}

/**
 * Creates the SQLite file's missing directories one level at a time. Node's recursive `mkdirSync`
 * spins forever on some paths (`/proc/x`); a plain `mkdir` of each level fails at once instead, and
 * the error names the directory that could not be made.
 */
function prepareDirectory(directory: string): void {
  const missing: string[] = [];
  let existing = directory;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (existsSync(existing) && !statSync(existing).isDirectory()) {
    throw new KeyhouseError(
      'config_invalid',
      `${existing} is not a directory, so the SQLite file cannot be made in it`,
    );
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EEXIST') continue;
      throw new KeyhouseError(
        'config_invalid',
        `cannot create the directory ${level} for the SQLite file (${typeof code === 'string' ? code : String(error)})`,
        { cause: error },
      );
    }
  }
}
