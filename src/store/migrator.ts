/**
 * Versioned schema migrations, one list for both dialects (migrations/). Each runs once, in order,
 * recorded in `schema_migrations`, the table (and version sequence) the stores before this layer
 * kept, so their databases upgrade in place. Never edit a released migration; append a new one.
 *
 * Not Kysely's own Migrator: it keeps its history by name in tables of its own, and released
 * databases already record theirs by version in `schema_migrations`.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { StoreDialect } from './dialect.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/migration.js';
import type { Tables } from './schema.js';

export type { Migration } from './migrations/migration.js';

/** `schema_migrations`, as the stores before this layer made it (their databases have it already). */
async function migrationsTable(db: Kysely<Tables>, { schema: d }: StoreDialect): Promise<void> {
  const now = d.defaultNow;
  await d
    .table(
      db.schema
        .createTable('schema_migrations')
        .ifNotExists()
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('applied_at', d.timestamp, (c) => (now ? c.notNull().defaultTo(now) : c.notNull())),
    )
    .execute();
}

/**
 * Applies the migrations `dialect`'s database has not seen, in version order, all in one
 * transaction that one process at a time holds: replicas starting together apply each once, and a
 * migration that fails leaves nothing of the run behind.
 */
export async function runMigrations(
  dialect: StoreDialect,
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<void> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  await dialect.migrating(async (trx: Kysely<Tables>) => {
    await migrationsTable(trx, dialect);
    const rows = await trx.selectFrom('schema_migrations').select('version').execute();
    const applied = new Set(rows.map((row) => Number(row.version)));
    for (const migration of ordered) {
      if (applied.has(migration.version)) continue;
      await migration.up(trx, dialect);
      await trx
        .insertInto('schema_migrations')
        .values({ version: migration.version, name: migration.name, applied_at: dialect.time(new Date()) })
        .execute();
      logger.info({ version: migration.version, migration: migration.name }, 'migration applied');
    }
    const latest = Math.max(0, ...ordered.map((m) => m.version));
    if ([...applied].some((version) => version > latest)) {
      logger.warn({ latest }, 'database has migrations newer than this build');
    }
  });
}
