/**
 * Where SQLite and PostgreSQL truly differ, said once each (sqlite-dialect.ts, postgres-dialect.ts):
 * how a connection is opened, how a timestamp and JSON are held, how a write transaction takes
 * its lock, how a read sees one snapshot, how the audit log refuses to be rewritten, and which
 * driver errors mean what. Every query is written once, in store.ts, against this.
 */
import type { ColumnDataType, ColumnDefinitionBuilder, CreateTableBuilder, Kysely, RawBuilder } from 'kysely';
import type { Tables, Timestamp } from './schema.js';

/** What a failed statement means for the caller. */
export type FailureKind =
  /** A unique or primary key was already taken. */
  | 'conflict'
  /** The database refused the values themselves (too large, wrong shape): retrying cannot help. */
  | 'refused'
  /** Anything else: the database is unreachable, busy, or failed. */
  | 'failed';

/** What the schema's history needs said per dialect (migrations/). */
export interface SchemaDialect {
  /** `integer` (epoch ms) or `timestamptz`. */
  readonly timestamp: ColumnDataType;
  /** `text` or `jsonb`. */
  readonly json: ColumnDataType;
  /** A 64-bit integer: `integer` (SQLite's are) or `bigint`. */
  readonly bigint: ColumnDataType;
  /** The database's own clock as a column default, where the released schema used one (PostgreSQL). */
  readonly defaultNow: RawBuilder<unknown> | null;
  /** A table of this dialect's kind (SQLite: STRICT, so a column holds only its type). */
  table<T extends string, C extends string>(builder: CreateTableBuilder<T, C>): CreateTableBuilder<T, C>;
  /** A JSON column's own check (SQLite: `json_valid`; `jsonb` checks itself); `required` when NOT NULL. */
  jsonColumn(
    column: string,
    required?: boolean,
  ): (builder: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /**
   * A `bigint` primary key the database numbers; `kept` numbers are never reused, even after the
   * last row is gone.
   */
  rowNumber(kept: boolean): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /** Makes `audit_events` refuse UPDATE, DELETE (and TRUNCATE where there is one), for anyone. */
  guardAuditLog(db: Kysely<Tables>): Promise<void>;
  /** Lifts the guard inside one migration's transaction (which restores it before it commits). */
  liftAuditGuard(db: Kysely<Tables>): Promise<void>;
  restoreAuditGuard(db: Kysely<Tables>): Promise<void>;
  /** Lets the store number audit events itself (the chain assigns `seq` under its lock). */
  numberAuditEventsByChain(db: Kysely<Tables>): Promise<void>;
}

export interface StoreDialect {
  readonly name: 'sqlite' | 'postgres';
  readonly db: Kysely<Tables>;
  readonly schema: SchemaDialect;

  /** A Date as the column holds it, and back. */
  time(date: Date): Timestamp;
  date(value: Timestamp): Date;
  /** A JSON column's value as read (text in SQLite, already parsed from `jsonb`). */
  readJson(value: unknown): unknown;

  /**
   * Runs `work` in a transaction that holds the database's write lock from its first statement
   * (SQLite `BEGIN IMMEDIATE`; PostgreSQL takes row locks as it goes, see `locked`).
   */
  write<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T>;
  /** Runs `work`'s reads in one consistent snapshot (PostgreSQL's also refuses writes; it has none). */
  snapshot<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T>;
  /** `query` locking the rows it reads until the write transaction ends (SQLite's lock is already whole). */
  locked<Q extends { forUpdate(): Q }>(query: Q): Q;
  /**
   * Runs the migrations in one write transaction that only one process at a time holds (PostgreSQL:
   * an advisory lock on the schema, created first when missing).
   */
  migrating<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T>;

  /**
   * A value that changes whenever anything in the database changed, this connection's writes or
   * another's, read in one step; null when the dialect has none (reads are then never reused).
   */
  changeStamp(): string | null;

  classify(error: unknown): FailureKind;
  close(): Promise<void>;
}
