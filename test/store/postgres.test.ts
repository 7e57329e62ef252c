import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKeyhouseError } from '../../src/core/errors.js';
import type { Store } from '../../src/core/model.js';
import { connectStore, type Migration, openStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { createThrowawaySchema, pgUrl, type ThrowawaySchema } from '../support/postgres.js';
import { type StoreFixture, storeContract } from './contract.js';

describe.skipIf(!pgUrl)('postgres store', () => {
  const url = pgUrl!;

  // Each test gets a schema of its own, so the contract sees an empty database every time.
  storeContract('postgres', async (): Promise<StoreFixture> => {
    const schema = await createThrowawaySchema(url);
    const stores: Store[] = [];
    const open = async () => {
      const store = await connectStore(url, { schema: schema.name });
      stores.push(store);
      await store.migrate();
      return store;
    };
    return {
      store: await open(),
      reopen: open,
      rawExec: (sql) => schema.exec(sql),
      cleanup: async () => {
        for (const store of stores) await store.close();
        await schema.drop();
      },
    };
  });

  describe('postgres store specifics', () => {
    let schema: ThrowawaySchema;
    const opened: Store[] = [];

    beforeEach(async () => {
      schema = await createThrowawaySchema(url);
    });

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      await schema.drop();
    });

    async function track(store: Promise<Store>): Promise<Store> {
      const resolved = await store;
      opened.push(resolved);
      return resolved;
    }

    async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema.name}` });
      await client.connect();
      try {
        return (await client.query<T>(sql)).rows;
      } finally {
        await client.end();
      }
    }

    it('opens through openStore and migrates once when several replicas start together', async () => {
      const replicas = await Promise.all(
        Array.from({ length: 5 }, () => track(connectStore(url, { schema: schema.name }))),
      );
      await Promise.all(replicas.map((store) => store.migrate()));
      const applied = await query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(applied.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));

      const viaUrl = await track(
        openStore(url.replace(/^postgres:/, 'postgresql:'), { schema: schema.name }),
      );
      await replicas[0]!.appendAudit({ at: new Date(), actorId: 'system', action: 'x', outcome: 'ok' });
      expect(await viaUrl.listAudit()).toHaveLength(1);
    });

    it('creates its schema when missing, and refuses a schema name that is not a plain identifier', async () => {
      const fresh = `${schema.name}_new`;
      try {
        const store = await track(openStore(url, { schema: fresh }));
        await store.ping();
        const found = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = '${fresh}' AND tablename = 'requests'`,
        );
        expect(found).toEqual([{ n: 1 }]);
      } finally {
        await query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`);
      }
      for (const bad of ['Public', 'x; DROP TABLE y', 'a-b', '']) {
        const error = await connectStore(url, { schema: bad }).catch((e: unknown) => e);
        expect(isKeyhouseError(error, 'config_invalid'), bad).toBe(true);
      }
    });

    it('refuses TRUNCATE of the audit log too', async () => {
      const store = await track(openStore(url, { schema: schema.name }));
      await store.appendAudit({ at: new Date(), actorId: 'system', action: 'x', outcome: 'ok' });
      await expect(schema.exec('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
      expect(await store.listAudit()).toHaveLength(1);
    });

    it('applies a failed migration not at all, then the fixed one once', async () => {
      // Versions may have gaps (they are reserved per branch): the next one is past the highest.
      const next = Math.max(...MIGRATIONS.map((m) => m.version)) + 1;
      const broken: Migration = {
        version: next,
        name: 'broken',
        up: async (db) => {
          await sql`CREATE TABLE half_done (x int)`.execute(db);
          await sql`SELECT 1/0`.execute(db);
        },
      };
      const failing = await track(
        connectStore(url, { schema: schema.name, migrations: [...MIGRATIONS, broken] }),
      );
      await expect(failing.migrate()).rejects.toThrow(/migrate failed/);
      // The whole run is one transaction: not even the earlier migrations stay half-applied.
      const left = `SELECT tablename FROM pg_tables WHERE schemaname = '${schema.name}'`;
      expect(await query(left)).toEqual([]);

      const fixed: Migration = {
        version: next,
        name: 'extra',
        up: async (db) => {
          await sql`CREATE TABLE extra (x int)`.execute(db);
        },
      };
      const upgraded = await track(
        connectStore(url, { schema: schema.name, migrations: [...MIGRATIONS, fixed] }),
      );
      await upgraded.migrate();
      await upgraded.migrate();
      const applied = await query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(applied.map((row) => row.version)).toEqual([...MIGRATIONS.map((m) => m.version), next]);
    });
  });
});
