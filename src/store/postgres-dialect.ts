/**
 * PostgreSQL (`pg` Pool), for one or several replicas sharing a database. A compare-and-set is one
 * conditional statement, which PostgreSQL re-checks against the newest row version when two race,
 * so exactly one wins; a multi-step change locks the rows it reads (`FOR UPDATE`) until it commits.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { KeyhouseError } from '../core/errors.js';
import type { FailureKind, SchemaDialect, StoreDialect } from './dialect.js';
import type { Tables, Timestamp } from './schema.js';
import { storableDialect } from './text.js';

export interface PostgresOptions {
  logger: Logger;
  /** Schema holding Keyhouse's tables (created by the migrations when missing). Default `public`. */
  schema?: string;
  /** Most connections the pool opens. Default 10. */
  maxConnections?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * SQLSTATEs of a statement refused for the values it carries: class 22 (data exceptions: too long,
 * out of range, not valid JSON), a NOT NULL or CHECK violation, a row or index entry past a limit.
 */
function refused(code: string): boolean {
  return code.startsWith('22') || code === '23502' || code === '23514' || code === '54000';
}

const schema: SchemaDialect = {
  timestamp: 'timestamptz',
  json: 'jsonb',
  table: (builder) => builder,
  defaultNow: sql`now()`,
  jsonColumn: () => (c) => c,
  bigint: 'bigint',
  rowNumber: () => (c) => c.generatedAlwaysAsIdentity().primaryKey(),
  guardAuditLog: async (db) => {
    await sql`CREATE OR REPLACE FUNCTION keyhouse_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END
$$`.execute(db);
    // Statement-level, so even a DELETE or UPDATE that matches no row is refused, and TRUNCATE too.
    await sql`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION keyhouse_audit_append_only()`.execute(db);
  },
  // Dropped and made again (not disabled): whoever could write the schema may have dropped it.
  liftAuditGuard: async (db) => {
    await sql`DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events`.execute(db);
  },
  restoreAuditGuard: (db) => schema.guardAuditLog(db),
  // GENERATED ALWAYS refuses a number it is given. A replica still running the code before this
  // change (which leaves `seq` to the identity) then cannot append at all: it refuses its actions.
  numberAuditEventsByChain: async (db) => {
    await sql`ALTER TABLE audit_events ALTER COLUMN seq DROP IDENTITY`.execute(db);
  },
};

class PostgresStoreDialect implements StoreDialect {
  readonly name = 'postgres';
  readonly schema = schema;
  readonly db: Kysely<Tables>;
  readonly #schemaName: string;

  constructor(pool: pg.Pool, schemaName: string) {
    this.#schemaName = schemaName;
    this.db = new Kysely<Tables>({ dialect: storableDialect(new PostgresDialect({ pool })) });
  }

  time(date: Date): Timestamp {
    return date;
  }

  date(value: Timestamp): Date {
    return value instanceof Date ? value : new Date(value);
  }

  readJson(value: unknown): unknown {
    // `jsonb` comes back parsed; Keyhouse's JSON columns hold objects and arrays only.
    return value;
  }

  write<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  snapshot<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(work);
  }

  locked<Q extends { forUpdate(): Q }>(query: Q): Q {
    return query.forUpdate();
  }

  migrating<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T> {
    return this.write(async (trx) => {
      // Replicas starting together queue here; the first applies, the others find nothing to do.
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`keyhouse:migrate:${this.#schemaName}`}))`.execute(
        trx,
      );
      // Checked before creating: CREATE SCHEMA needs a privilege a locked-down user may lack
      // even when the schema (such as `public`) already exists.
      const exists = await sql`SELECT 1 FROM pg_namespace WHERE nspname = ${this.#schemaName}`.execute(trx);
      if (exists.rows.length === 0) await sql`CREATE SCHEMA ${sql.id(this.#schemaName)}`.execute(trx);
      return work(trx);
    });
  }

  changeStamp(): null {
    return null;
  }

  classify(error: unknown): FailureKind {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') return 'failed';
    if (code === '23505') return 'conflict';
    return refused(code) ? 'refused' : 'failed';
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Connects to `connectionString`, every pooled connection resolving tables in `options.schema`. */
export function openPostgres(connectionString: string, options: PostgresOptions): StoreDialect {
  const schemaName = options.schema ?? 'public';
  // The name goes into SQL and a startup parameter unquoted, so only plain identifiers pass.
  if (!SCHEMA_NAME.test(schemaName)) {
    throw new KeyhouseError('config_invalid', 'PostgreSQL schema must be a plain lower-case identifier');
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    // Set at connection start-up, so every pooled connection resolves tables in our schema.
    options: `-c search_path=${schemaName}`,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (error) => {
    options.logger.warn({ code: (error as { code?: unknown }).code }, 'idle database connection failed');
  });
  return new PostgresStoreDialect(pool, schemaName);
}
