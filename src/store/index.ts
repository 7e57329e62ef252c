import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Logger, pino } from 'pino';
import { KeyhouseError } from '../core/errors.js';
import type { Store } from '../core/model.js';
import type { StoreDialect } from './dialect.js';
import type { Migration } from './migrator.js';
import { SqlStore } from './store.js';

export type { Store } from '../core/model.js';
export type { Migration } from './migrator.js';

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
  const store = await connectStore(databaseUrl, options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/**
 * The store `DATABASE_URL` names, connected but not migrated (`openStore` is what the app uses).
 * `migrations` replaces Keyhouse's own list (tests of the migrator pass a longer one).
 */
export async function connectStore(
  databaseUrl: string,
  options: OpenStoreOptions & { migrations?: readonly Migration[] } = {},
): Promise<Store> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const dialect = await openDialect(databaseUrl, options, logger);
  return new SqlStore(dialect, { logger, ...(options.migrations && { migrations: options.migrations }) });
}

async function openDialect(
  databaseUrl: string,
  options: OpenStoreOptions,
  logger: Logger,
): Promise<StoreDialect> {
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    // Loaded on demand: a SQLite deployment never pays for pg (and the reverse for better-sqlite3).
    const { openPostgres } = await import('./postgres-dialect.js');
    return openPostgres(databaseUrl, {
      logger,
      ...(options.schema !== undefined && { schema: options.schema }),
    });
  }
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path === '') throw new KeyhouseError('config_invalid', 'DATABASE_URL sqlite: needs a file path');
    const { openSqlite } = await import('./sqlite-dialect.js');
    if (path === ':memory:') return openSqlite(':memory:');
    const file = resolve(path);
    if (existsSync(file) && statSync(file).isDirectory()) {
      throw new KeyhouseError(
        'config_invalid',
        `DATABASE_URL names a directory (${file}); give a file in it, such as sqlite:${path.replace(/\/+$/, '')}/keyhouse.db`,
      );
    }
    prepareDirectory(dirname(file));
    return openSqlite(file, { lock: options.exclusive === true });
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
