/**
 * Text as both databases can hold it. PostgreSQL refuses a NUL in `text` and in `jsonb`, and a lone
 * surrogate in `jsonb`; both drivers send text as UTF-8, which turns a lone surrogate into U+FFFD
 * on its way. A key named in the console with such a character (drift audits it) would then be
 * refused on one backend and stored differently from what was hashed on the other. So every string
 * the store writes is made storable first, the same way on both: each NUL and each lone surrogate
 * becomes U+FFFD, the replacement character, before it is hashed, bound or turned into JSON.
 */
import type { CompiledQuery, DatabaseConnection, Dialect, Driver } from 'kysely';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL is exactly what it must find.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with every NUL and lone surrogate replaced by U+FFFD (unchanged, and not copied, when there is none). */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** A parsed JSON `value` with every string in it, object keys included, made storable. */
function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [storableText(key), storableJson(member)]),
  ) as T;
}

function storableParameter(value: unknown): unknown {
  return typeof value === 'string' ? storableText(value) : value;
}

function storableQuery(query: CompiledQuery): CompiledQuery {
  return { ...query, parameters: query.parameters.map(storableParameter) };
}

/**
 * `dialect` with every string parameter of every statement made storable on its way to the
 * driver, so no write or lookup differs by backend. At the driver, not in a Kysely plugin: a
 * plugin rebuilds each query's whole tree, and this is one pass over its parameters.
 */
export function storableDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => storableDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

function storableDriver(driver: Driver): Driver {
  // The driver gets back the connections it gave out (PostgreSQL's releases its pool client).
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const inner = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const wrap = (connection: DatabaseConnection): DatabaseConnection => {
    let outer = wrapped.get(connection);
    if (!outer) {
      outer = {
        executeQuery: (query) => connection.executeQuery(storableQuery(query)),
        streamQuery: (query, chunkSize) => connection.streamQuery(storableQuery(query), chunkSize),
      };
      wrapped.set(connection, outer);
      inner.set(outer, connection);
    }
    return outer;
  };
  const unwrap = (connection: DatabaseConnection) => inner.get(connection) ?? connection;
  return {
    init: () => driver.init(),
    acquireConnection: async () => wrap(await driver.acquireConnection()),
    beginTransaction: (connection, settings) => driver.beginTransaction(unwrap(connection), settings),
    commitTransaction: (connection) => driver.commitTransaction(unwrap(connection)),
    rollbackTransaction: (connection) => driver.rollbackTransaction(unwrap(connection)),
    releaseConnection: (connection) => driver.releaseConnection(unwrap(connection)),
    destroy: () => driver.destroy(),
  };
}

/** A value the store cannot hold for what it is (not for the database being away): retrying cannot help. */
export class UnstorableValueError extends Error {
  override readonly name = 'UnstorableValueError';
}

/**
 * JSON text for a JSON column, every string in it made storable; null for null. It is exactly what
 * reading the column back parses (a Date as its ISO text, `toJSON` applied, undefined members
 * gone), so a hash over the parsed text is a hash over what is stored. Throws
 * `UnstorableValueError` for what is not JSON (a BigInt, a cycle), naming the column, never the value.
 */
export function jsonText(column: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  let plain: unknown;
  try {
    plain = JSON.parse(JSON.stringify(value) as string);
  } catch (error) {
    const kind = error instanceof Error ? error.name : 'unknown';
    throw new UnstorableValueError(`${column} is not JSON (${kind})`, { cause: error });
  }
  return JSON.stringify(storableJson(plain));
}
