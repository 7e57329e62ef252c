import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKeyhouseError } from '../../src/core/errors.js';
import type { Store } from '../../src/core/model.js';
import { connectStore, type Migration, openStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { type StoreFixture, storeContract } from './contract.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'keyhouse-store-'));
}

storeContract('sqlite', async (): Promise<StoreFixture> => {
  const dir = tempDir();
  const file = join(dir, 'keyhouse.db');
  const stores: Store[] = [];
  const open = async () => {
    const store = await connectStore(`sqlite:${file}`);
    stores.push(store);
    await store.migrate();
    return store;
  };
  return {
    store: await open(),
    reopen: open,
    rawExec: async (sql) => {
      const db = new Database(file);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    cleanup: async () => {
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store specifics', () => {
  let dir: string;
  const opened: Store[] = [];

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function track(store: Promise<Store> | Store): Promise<Store> {
    const resolved = await store;
    opened.push(resolved);
    return resolved;
  }

  function inspect<T>(file: string, read: (db: Database.Database) => T): T {
    const db = new Database(file, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  it("lists held between reads follow every change, this connection's and another's", async () => {
    const file = join(dir, 'k.db');
    const store = await track(openStore(`sqlite:${file}`));
    const owner = (keyId: string, ownerId: string) => ({
      keyId,
      ownerId,
      requestId: null,
      keyName: `key-${keyId}`,
      keySuffix: 'a1b2',
      createdAt: new Date(Date.UTC(2026, 0, 1)),
      roleId: null,
      hasFingerprint: false,
    });
    const names = async (ownerId?: string) => (await store.listKeyOwners(ownerId)).map((o) => o.keyName);
    await store.putKeyOwner(owner('k1', 'U1'));
    expect(await names()).toEqual(['key-k1']);

    // What a caller does to the list it was given does not reach the next caller.
    const given = await store.listKeyOwners();
    given.pop();
    expect(() => Object.assign(given[0] ?? {}, { keyName: 'changed' })).not.toThrow();
    expect(await names()).toEqual(['key-k1']);
    expect(Object.isFrozen((await store.listKeyOwners())[0])).toBe(true);

    // This connection's writes.
    await store.renameKeyOwner('k1', 'renamed');
    expect(await names()).toEqual(['renamed']);
    expect(await names('U1')).toEqual(['renamed']);
    await store.putKeyOwner(owner('k2', 'U2'));
    expect(await names('U2')).toEqual(['key-k2']);
    await store.deleteKeyOwner('k1');
    expect(await names()).toEqual(['key-k2']);
    expect(await names('U1')).toEqual([]);

    // Another connection's commit (a repair by hand, another tool) is seen too.
    const other = new Database(file);
    try {
      other.prepare('UPDATE key_owners SET key_name = ? WHERE key_id = ?').run('renamed elsewhere', 'k2');
      expect(await names()).toEqual(['renamed elsewhere']);
      expect(await store.listRetirements({ stages: ['retiring'] })).toEqual([]);
      other.pragma('foreign_keys = OFF'); // no request row needed for this
      other
        .prepare(
          `INSERT INTO retirements (key_id, key_name, key_suffix, owner_id, request_id, successor_key_id,
             successor_suffix, retire_at, stage, updated_at)
           VALUES ('k2', 'old', 'a1b2', 'U2', 'req-1', 'k3', 'c3d4', 0, 'retiring', 0)`,
        )
        .run();
      expect((await store.listRetirements({ stages: ['retiring'] })).map((r) => r.keyId)).toEqual(['k2']);
    } finally {
      other.close();
    }
  });

  it('runs in WAL mode with foreign keys enforced', async () => {
    const file = join(dir, 'k.db');
    const store = await track(openStore(`sqlite:${file}`));
    expect(inspect(file, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
    const error = await store
      .putMessageRef({ requestId: 'req-missing', kind: 'dm', channel: 'D1', ts: '1.2' })
      .catch((e: unknown) => e);
    expect(isKeyhouseError(error, 'internal')).toBe(true);
    expect((error as Error).message).toContain('SQLITE_CONSTRAINT_FOREIGNKEY');
  });

  it('opens a relative sqlite: path, creating its parent directories', async () => {
    const file = join(dir, 'nested', 'deeper', 'keyhouse.db');
    const store = await track(openStore(`sqlite:${relative(process.cwd(), file)}`));
    await store.appendAudit({ at: new Date(), actorId: 'system', action: 'store.opened', outcome: 'ok' });
    expect(existsSync(file)).toBe(true);
    expect(inspect(file, (db) => db.prepare('SELECT count(*) AS n FROM audit_events').get())).toEqual({
      n: 1,
    });
  });

  it('one process per file: an exclusive open refuses while another holds the file, and close releases it', async () => {
    const file = join(dir, 'k.db');
    const first = await openStore(`sqlite:${file}`, { exclusive: true });
    const refused = await openStore(`sqlite:${file}`, { exclusive: true }).catch((e: unknown) => e);
    expect(isKeyhouseError(refused, 'conflict')).toBe(true);
    expect((refused as Error).message).toContain(`another Keyhouse process is using the SQLite file ${file}`);
    // A reader that does not claim the file (a test peeking, an audit export) still opens it.
    const peek = await track(openStore(`sqlite:${file}`));
    expect(await peek.listAudit()).toEqual([]);
    // Another file is another lock.
    await track(openStore(`sqlite:${join(dir, 'other.db')}`, { exclusive: true }));
    await first.close();
    await track(openStore(`sqlite:${file}`, { exclusive: true }));
  });

  it('names the path when the directory cannot be made, without recursing into /proc', async () => {
    const blocker = join(dir, 'a-file');
    await track(openStore(`sqlite:${blocker}`));
    const underFile = await openStore(`sqlite:${blocker}/sub/k.db`).catch((e: unknown) => e);
    expect(isKeyhouseError(underFile, 'config_invalid')).toBe(true);
    expect((underFile as Error).message).toContain(`${blocker} is not a directory`);
    const proc = await openStore('sqlite:/proc/keyhouse-nope/k.db').catch((e: unknown) => e);
    expect(isKeyhouseError(proc, 'config_invalid')).toBe(true);
    expect((proc as Error).message).toContain('cannot create the directory /proc/keyhouse-nope');
  });

  it('opens sqlite::memory: as a private database', async () => {
    const store = await track(openStore('sqlite::memory:'));
    await store.appendAudit({ at: new Date(), actorId: 'system', action: 'x', outcome: 'ok' });
    expect(await store.listAudit()).toHaveLength(1);
    const other = await track(openStore('sqlite::memory:'));
    expect(await other.listAudit()).toEqual([]);
  });

  it('refuses a DATABASE_URL it does not know', async () => {
    for (const url of ['mysql://localhost/k', './keyhouse.db', 'sqlite:', '']) {
      const error = await openStore(url).catch((e: unknown) => e);
      expect(isKeyhouseError(error, 'config_invalid'), url).toBe(true);
    }
  });

  it('applies migrations in order, once each, and a failed one not at all', async () => {
    const file = join(dir, 'k.db');
    const versions = () =>
      inspect(file, (db) =>
        db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
      );
    await track(openStore(`sqlite:${file}`));
    expect(versions()).toEqual(MIGRATIONS.map((m) => m.version));

    // Versions may have gaps (they are reserved per branch): the next one is past the highest.
    const next = Math.max(...MIGRATIONS.map((m) => m.version)) + 1;
    const broken: Migration = {
      version: next,
      name: 'broken',
      up: async (db) => {
        await sql`CREATE TABLE half_done (x INTEGER)`.execute(db);
        await sql`SELECT no_such_function()`.execute(db);
      },
    };
    const failing = await track(connectStore(`sqlite:${file}`, { migrations: [...MIGRATIONS, broken] }));
    await expect(failing.migrate()).rejects.toThrow(/migrate failed/);
    expect(versions()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(
      inspect(file, (db) => db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()),
    ).toBe(undefined);

    const fixed: Migration = {
      version: next,
      name: 'extra',
      up: async (db) => {
        await sql`CREATE TABLE extra (x INTEGER)`.execute(db);
      },
    };
    const upgraded = await track(connectStore(`sqlite:${file}`, { migrations: [...MIGRATIONS, fixed] }));
    await upgraded.migrate();
    await upgraded.migrate();
    expect(versions()).toEqual([...MIGRATIONS.map((m) => m.version), next]);
  });
});
