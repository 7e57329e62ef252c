import type { Kysely } from 'kysely';
import type { StoreDialect } from '../dialect.js';

/** One step of the schema's history, written once for both dialects. */
export interface Migration {
  version: number;
  name: string;
  /**
   * Changes the schema inside the migration run's transaction. `db` is typed loosely on purpose: a
   * migration sees the schema as it was at its version, not as `Tables` says it is today.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the schema a migration sees is not today's `Tables`.
  up(db: Kysely<any>, dialect: StoreDialect): Promise<void>;
}
