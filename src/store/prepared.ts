/**
 * A statement Kysely builds and compiles once, then runs with new values. Building and compiling a
 * query is most of what Kysely costs per statement (immutable trees, frozen at every step, and the
 * garbage they leave), and a statement of fixed shape compiles to the same SQL every time: so it is
 * built with a named slot where each value goes, and each run only puts the values in the slots.
 * Queries whose shape varies (optional filters, lists) are built per call as usual.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Tables } from './schema.js';

/** Where a value goes: replaced, when the statement runs, by the value of that name. */
class Slot {
  constructor(readonly name: string) {}
}

/** Each name of `V` as its slot, typed as its value so the builder accepts it. */
const SLOTS = new Proxy({}, { get: (_, name) => new Slot(String(name)) });

/** `values`' slots of `names`, as the object a builder's `values()` takes (a slot object has no keys of its own). */
export function slots<V, K extends keyof V>(values: V, names: readonly K[]): Pick<V, K> {
  return Object.fromEntries(names.map((name) => [name, values[name]])) as Pick<V, K>;
}

export class Prepared<V extends object, R> {
  readonly #db: Kysely<Tables>;
  readonly #build: (db: Kysely<Tables>, values: V) => Compilable<R>;
  #compiled: CompiledQuery<R> | null = null;

  constructor(db: Kysely<Tables>, build: (db: Kysely<Tables>, values: V) => Compilable<R>) {
    this.#db = db;
    this.#build = build;
  }

  /** Every row it returns, run on `db` (the store's, or a transaction's). */
  async all(db: Kysely<Tables>, values: V): Promise<R[]> {
    const compiled = this.#compile();
    const parameters = compiled.parameters.map((p) => (p instanceof Slot ? this.#value(values, p.name) : p));
    return (await db.executeQuery<R>({ ...compiled, parameters })).rows;
  }

  async first(db: Kysely<Tables>, values: V): Promise<R | undefined> {
    return (await this.all(db, values))[0];
  }

  #value(values: V, name: string): unknown {
    const value = values[name as keyof V];
    // A slot left empty is a mistake in the store, never a NULL to write.
    if (value === undefined) throw new Error(`prepared statement: no value for ${name}`);
    return value;
  }

  /** Compiled on first use: the store's dialect is known by then, and an unused statement costs nothing. */
  #compile(): CompiledQuery<R> {
    if (!this.#compiled) this.#compiled = this.#build(this.#db, SLOTS as V).compile();
    return this.#compiled;
  }
}
