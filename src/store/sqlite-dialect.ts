/**
 * SQLite (better-sqlite3): one file, WAL, for a single replica. The driver is synchronous and
 * Kysely gives it one connection behind a mutex, so this process's statements never interleave;
 * a compare-and-set or multi-step change still runs in `BEGIN IMMEDIATE`, so that another process
 * (or a second store on the same file) cannot interleave with it either.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import {
  type ColumnDefinitionBuilder,
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type TransactionSettings,
} from 'kysely';
import { KeyhouseError } from '../core/errors.js';
import type { FailureKind, SchemaDialect, StoreDialect } from './dialect.js';
import type { Tables, Timestamp } from './schema.js';
import { storableDialect } from './text.js';

export interface SqliteOptions {
  /** How long to wait for another connection's write lock before failing, in ms. Default 5 s. */
  busyTimeoutMs?: number;
  /**
   * Hold `<filename>.lock` for as long as the store is open, and refuse to open when another store
   * holds it (in this process or another; the OS drops the lock when a process dies).
   */
  lock?: boolean;
}

/** Kysely prepares every statement it runs; distinct SQL texts are few, so each is prepared once. */
const MAX_PREPARED = 500;
/** The longest pause between two tries for a write lock another connection holds. */
const MAX_BUSY_PAUSE_MS = 50;

function driverCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

function cannotOpen(filename: string, error: unknown): KeyhouseError {
  return new KeyhouseError(
    'config_invalid',
    `cannot open the SQLite file ${filename} (${driverCode(error)}); is its directory writable by this user?`,
    { cause: error },
  );
}

/**
 * One process per SQLite file: a companion `<file>.lock` database in exclusive locking mode, whose
 * write lock is taken at once and kept until the connection closes. SQLite's locks are POSIX
 * advisory locks, which the OS releases when the process dies, so a crash never blocks the restart;
 * within one process SQLite tracks them per file, so a second store on the same file is refused too.
 */
function holdLock(filename: string): Database.Database {
  const lockFile = `${filename}.lock`;
  let lock: Database.Database;
  try {
    lock = new Database(lockFile, { timeout: 0 });
  } catch (error) {
    throw cannotOpen(lockFile, error);
  }
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    // Nothing in it needs rolling back, and no journal file is left beside it.
    lock.pragma('journal_mode = MEMORY');
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)');
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('DELETE FROM holder');
    lock.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    lock.exec('COMMIT');
    return lock;
  } catch (error) {
    lock.close();
    const code = driverCode(error);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new KeyhouseError(
        'conflict',
        `another Keyhouse process is using the SQLite file ${filename} (it holds ${lockFile}); ` +
          'one process per SQLite file: stop the other one, or use PostgreSQL for replicas',
      );
    }
    throw cannotOpen(lockFile, error);
  }
}

function openFile(filename: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(filename);
  } catch (error) {
    throw cannotOpen(filename, error);
  }
  try {
    // Readers never block the writer in WAL; NORMAL is durable there except on power loss.
    db.pragma('journal_mode = WAL');
    // Never wait inside SQLite: its busy handler sleeps on the event loop's thread, so another
    // store of this process holding the lock (mid-transaction, awaiting) could never finish.
    // The connection below waits between tries instead.
    db.pragma('busy_timeout = 0');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (error) {
    db.close();
    // WAL needs to create files beside the database: a read-only directory fails here.
    throw cannotOpen(filename, error);
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * The one connection, as Kysely runs statements on it: each distinct SQL text prepared once and
 * reused, and a statement that finds the database locked by another connection (outside a
 * transaction of ours: nothing was done) tried again after a pause, up to `busyTimeoutMs`.
 */
class PatientConnection implements DatabaseConnection {
  readonly #db: Database.Database;
  readonly #busyTimeoutMs: number;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database, busyTimeoutMs: number) {
    this.#db = db;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(query.sql);
    const deadline = Date.now() + this.#busyTimeoutMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, MAX_BUSY_PAUSE_MS)) {
      try {
        return this.#run<R>(statement, query.parameters);
      } catch (error) {
        if (!isBusy(error) || this.#db.inTransaction || Date.now() >= deadline) throw error;
      }
      await sleep(pause);
    }
  }

  // biome-ignore lint/correctness/useYield: the store never streams.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the SQLite store does not stream');
  }

  #prepare(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      if (this.#statements.size >= MAX_PREPARED) this.#statements.clear();
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  #run<R>(statement: Database.Statement, parameters: readonly unknown[]): QueryResult<R> {
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), rows: [] };
  }
}

/**
 * Kysely's driver over the one connection: one statement, or one transaction, at a time. A write
 * transaction is `BEGIN IMMEDIATE`, holding the write lock from its start, so no other connection
 * can interleave; a read-only one is a plain `BEGIN`, which WAL keeps on one snapshot throughout.
 */
class PatientDriver implements Driver {
  readonly #db: Database.Database;
  readonly #connection: PatientConnection;
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;

  constructor(db: Database.Database, busyTimeoutMs: number) {
    this.#db = db;
    this.#connection = new PatientConnection(db, busyTimeoutMs);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = null;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const begin = settings.accessMode === 'read only' ? 'BEGIN' : 'BEGIN IMMEDIATE';
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A COMMIT that failed may have ended the transaction already.
    if (this.#db.inTransaction) await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async destroy(): Promise<void> {}
}

/** Kysely's SQLite dialect, with the patient driver in place of its own. */
function patientDialect(driver: PatientDriver): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}

const CONFLICT = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);
const REFUSED = new Set([
  'SQLITE_TOOBIG',
  'SQLITE_MISMATCH',
  'SQLITE_CONSTRAINT_CHECK',
  'SQLITE_CONSTRAINT_NOTNULL',
]);

const schema: SchemaDialect = {
  timestamp: 'integer',
  json: 'text',
  table: (builder) => builder.modifyEnd(sql`strict`),
  defaultNow: null,
  jsonColumn:
    (column, required = false) =>
    (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
      c.check(sql.raw(required ? `json_valid(${column})` : `${column} IS NULL OR json_valid(${column})`)),
  bigint: 'integer',
  rowNumber: (kept) => (c) => (kept ? c.primaryKey().autoIncrement() : c.primaryKey()),
  guardAuditLog: async (db) => {
    for (const verb of ['update', 'delete']) {
      await sql
        .raw(
          `CREATE TRIGGER audit_events_no_${verb} BEFORE ${verb.toUpperCase()} ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END`,
        )
        .execute(db);
    }
  },
  // IF EXISTS: whoever could write the file may have dropped them; restoring makes them again.
  liftAuditGuard: async (db) => {
    await sql`DROP TRIGGER IF EXISTS audit_events_no_update`.execute(db);
    await sql`DROP TRIGGER IF EXISTS audit_events_no_delete`.execute(db);
  },
  restoreAuditGuard: (db) => schema.guardAuditLog(db),
  // An INTEGER PRIMARY KEY takes the number it is given.
  numberAuditEventsByChain: async () => undefined,
};

class SqliteStoreDialect implements StoreDialect {
  readonly name = 'sqlite';
  readonly schema = schema;
  readonly db: Kysely<Tables>;
  readonly #raw: Database.Database;
  readonly #lock: Database.Database | null;
  readonly #stamp: Database.Statement;

  constructor(raw: Database.Database, lock: Database.Database | null, busyTimeoutMs: number) {
    this.#raw = raw;
    this.#lock = lock;
    const driver = new PatientDriver(raw, busyTimeoutMs);
    this.db = new Kysely<Tables>({
      dialect: storableDialect(patientDialect(driver)),
    });
    this.#stamp = raw.prepare('SELECT total_changes(), data_version FROM pragma_data_version').raw();
  }

  time(date: Date): Timestamp {
    return date.getTime();
  }

  date(value: Timestamp): Date {
    return new Date(value);
  }

  readJson(value: unknown): unknown {
    return typeof value === 'string' ? JSON.parse(value) : value;
  }

  write<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** WAL gives a transaction one snapshot from its first read to its end; nothing here writes. */
  snapshot<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T> {
    return this.db.transaction().setAccessMode('read only').execute(work);
  }

  locked<Q extends { forUpdate(): Q }>(query: Q): Q {
    // BEGIN IMMEDIATE already holds the whole database's write lock (SQLite has no FOR UPDATE).
    return query;
  }

  migrating<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T> {
    return this.write(work);
  }

  /**
   * The rows this connection changed (`total_changes()`, triggers included) and SQLite's
   * `data_version`, which moves when another connection commits: one step of a prepared statement.
   */
  changeStamp(): string {
    return (this.#stamp.get() as number[]).join(':');
  }

  classify(error: unknown): FailureKind {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string') return 'failed';
    if (CONFLICT.has(code)) return 'conflict';
    return REFUSED.has(code) ? 'refused' : 'failed';
  }

  async close(): Promise<void> {
    await this.db.destroy();
    if (this.#raw.open) this.#raw.close();
    if (this.#lock?.open) this.#lock.close();
  }
}

/** Opens `filename` (`:memory:` for a private in-memory database). */
export function openSqlite(filename: string, options: SqliteOptions = {}): StoreDialect {
  const lock = options.lock && filename !== ':memory:' ? holdLock(filename) : null;
  try {
    return new SqliteStoreDialect(openFile(filename), lock, options.busyTimeoutMs ?? 5000);
  } catch (error) {
    lock?.close();
    throw error;
  }
}
