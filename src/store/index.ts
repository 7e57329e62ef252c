import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { KeyhouseError } from '../errors.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export type { Store } from './types.js';

export interface OpenStoreOptions {
  logger?: Logger;
  /** PostgreSQL only: the schema holding Keyhouse's tables. Default `public`. */
  schema?: string;
}

/**
 * Opens the store `DATABASE_URL` names and brings its schema up to date:
 * `sqlite:<path>` (relative to the working directory or absolute; the parent directory is
 * created), `sqlite::memory:` (a private in-memory database, for tests), or
 * `postgres://…` / `postgresql://…`.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const store = createStore(databaseUrl, options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

function createStore(databaseUrl: string, options: OpenStoreOptions): Store {
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return new PostgresStore(databaseUrl, { logger: options.logger, schema: options.schema });
  }
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path === ':memory:') return new SqliteStore(':memory:', { logger: options.logger });
    if (path === '') throw new KeyhouseError('config_invalid', 'DATABASE_URL sqlite: needs a file path');
    const file = resolve(path);
    if (existsSync(file) && statSync(file).isDirectory()) {
      throw new KeyhouseError(
        'config_invalid',
        `DATABASE_URL names a directory (${file}); give a file in it, such as sqlite:${path.replace(/\/+$/, '')}/keyhouse.db`,
      );
    }
    mkdirSync(dirname(file), { recursive: true });
    return new SqliteStore(file, { logger: options.logger });
  }
  throw new KeyhouseError('config_invalid', 'DATABASE_URL must start with sqlite: or postgres://');
}
