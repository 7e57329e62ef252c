import { afterEach, describe, expect, it } from 'vitest';
import { DRIFT_CURSOR } from '../../src/watch/drift.js';
import { ManualClock } from '../support/clock.js';
import { Harness, testPolicy, USERS } from '../support/keyhouse.js';
import { pgUrl } from '../support/postgres.js';

const { alice } = USERS;
const SECURITY = 'C0SECURITY';

describe('drift from the console', () => {
  let h: Harness;
  afterEach(async () => {
    expect(h.apiContractViolations()).toEqual([]);
    await h?.close();
  });

  async function start(security: Record<string, unknown> = {}, postgres?: string) {
    h = await Harness.start({
      policy: testPolicy({ security: { channel: SECURITY, ...security } }),
      ...(postgres ? { postgres } : {}),
      // ClickHouse's 10 requests per 10 s, in a tenth of the wall time.
      budget: { requests: 10, windowMs: 1_000 },
    });
  }

  async function alicesKey(name: string) {
    const request = await h.approvedRequest(alice, {
      keyName: name,
      roleId: 'developer',
      expiry: '7d',
      reason: 'Reads the events table nightly',
    });
    await h.createKey(alice, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    await h.quiet();
    return h.clickhouse.keys().find((k) => k.id === delivered.keyId)!;
  }

  const securityNotes = () => h.slack.messages(SECURITY).map((m) => m.text ?? '');

  it('reports console-made key changes once, across a restart, and never its own', async () => {
    await start();
    expect(await h.keyhouse.drift()).toEqual({ reported: 0 }); // the first pass starts the watch
    const key = await alicesKey('etl-reader');
    const other = h.clickhouse.addKey({ name: 'legacy-exporter', roles: ['developer'] }).key;
    const dana = h.clickhouse.asConsoleUser({ email: 'dana@example.com' });
    dana.updateKey(key.id, { name: 'etl-reader-2' });
    dana.removeKey(other.id);

    expect(await h.keyhouse.drift()).toEqual({ reported: 3 });
    const notes = securityNotes();
    expect(notes).toHaveLength(3);
    expect(notes.join('\n')).not.toMatch(/Keyhouse admin \(emulator\)/); // Keyhouse's own writes are not drift
    expect(notes.find((n) => n.includes('dana@example.com (user) renamed'))).toContain(`…${key.keySuffix}`);
    expect(notes.find((n) => n.includes('renamed'))).toContain(`<@${alice}>`);
    const named = (who: string, verb: string) =>
      notes.filter(
        (n) =>
          n.includes(`${who} (user) ${verb} `) && (n.includes('*legacy-exporter*') || n.includes(other.id)),
      );
    expect(named('console-user@example.com', 'created')).toHaveLength(1);
    expect(named('dana@example.com', 'deleted')).toHaveLength(1);
    expect(named('dana@example.com', 'deleted')[0]).toContain('not a Keyhouse key');
    const dm = await h.slack.waitFor(() =>
      h.slack.messages(alice).find((m) => /outside Keyhouse/.test(m.text ?? '')),
    );
    expect(dm.text).toContain('dana@example.com');
    expect((await h.store.getKeyOwner(key.id))?.keyName).toBe('etl-reader-2');
    const audit = await h.store.listAudit({ keyId: key.id });
    expect(audit.filter((e) => e.action === 'drift.detected')).toHaveLength(1);

    // A restart reads from the stored cursor: nothing is reported twice, nothing new is missed.
    await h.stopInstance(h.instances[0]!);
    await h.startInstance();
    expect(await h.keyhouse.drift()).toEqual({ reported: 0 });
    dana.updateKey(key.id, { state: 'disabled' });
    expect(await h.keyhouse.drift()).toEqual({ reported: 1 });
    expect(securityNotes()).toHaveLength(4);
    expect(securityNotes()[3]).toMatch(/dana@example\.com \(user\) enabled or disabled \*etl-reader-2\*/);
  });

  it('with unmanagedKeys: disable, disables a key created outside Keyhouse at once, and only that', async () => {
    await start({ unmanagedKeys: 'disable' });
    await h.keyhouse.drift();
    const mine = await alicesKey('etl-reader');
    const made = h.clickhouse.asConsoleUser({ email: 'dana@example.com' }).addKey({ name: 'shadow-key' }).key;
    expect(await h.keyhouse.drift()).toEqual({ reported: 1 });
    const keys = h.clickhouse.keys();
    expect(keys.find((k) => k.id === made.id)?.state).toBe('disabled');
    expect(keys.find((k) => k.id === mine.id)?.state).toBe('enabled');
    expect(keys.find((k) => k.id === h.clickhouse.adminKey.id)?.state).toBe('enabled');
    expect(securityNotes()[0]).toMatch(/created \*shadow-key\*.*Keyhouse disabled it/);
    // Keyhouse's own disabling is not drift.
    expect(await h.keyhouse.drift()).toEqual({ reported: 0 });
  });

  it.skipIf(!pgUrl)('a replica pair reports each change once (PostgreSQL)', async () => {
    await start({}, pgUrl!);
    const second = await h.startInstance();
    await Promise.all([h.keyhouse.drift(), second.keyhouse.drift()]);
    const dana = h.clickhouse.asConsoleUser({ email: 'dana@example.com' });
    const made = dana.addKey({ name: 'console-one' }).key;
    dana.updateKey(made.id, { name: 'console-two' });
    const results = await Promise.all([h.keyhouse.drift(), second.keyhouse.drift(), h.keyhouse.drift()]);
    expect(results.reduce((sum, r) => sum + r.reported, 0)).toBe(2);
    await h.quiet();
    expect(securityNotes()).toHaveLength(2);
  });

  it('makes a report whose Slack post failed on the next pass, once, after a restart in between', async () => {
    await start();
    await h.keyhouse.drift();
    const dana = h.clickhouse.asConsoleUser({ email: 'dana@example.com' });
    dana.addKey({ name: 'console-one' });
    h.slack.failNext('chat.postMessage', 1, { error: 'fatal_error' });
    expect(await h.keyhouse.drift()).toEqual({ reported: 0 });
    expect(securityNotes()).toEqual([]);

    await h.stopInstance(h.instances[0]!);
    await h.startInstance();
    expect(await h.keyhouse.drift()).toEqual({ reported: 1 });
    expect(securityNotes()).toHaveLength(1);
    expect(securityNotes()[0]).toMatch(/dana@example\.com \(user\) created \*console-one\*/);
    expect(await h.keyhouse.drift()).toEqual({ reported: 0 });
    expect(securityNotes()).toHaveLength(1);
    const detected = (await h.store.listAudit()).filter((e) => e.action === 'drift.detected');
    expect(detected).toHaveLength(1);
  });

  it('sets aside an activity that does not parse: the others are reported and the cursor goes on', async () => {
    await start();
    await h.keyhouse.drift();
    const dana = h.clickhouse.asConsoleUser({ email: 'dana@example.com' });
    dana.addKey({ name: 'before-it' });
    // The spec requires no field; Keyhouse needs an id to report an activity once.
    h.clickhouse.addActivity({ type: 'key_create', without: ['id'] });
    const after = dana.addKey({ name: 'after-it' });
    expect(await h.keyhouse.drift()).toEqual({ reported: 2 });
    expect(securityNotes().join('\n')).toMatch(/before-it[\s\S]*after-it/);
    expect(await h.store.getWatchState(DRIFT_CURSOR)).toBe(
      h.clickhouse.activities().find((a) => a.targetKeyId === after.key.id)?.createdAt,
    );
    const skipped = (await h.store.listAudit()).filter((e) => e.action === 'drift.malformed');
    expect(skipped.map((e) => e.detail)).toMatchObject([
      { skipped: 1, described: [{ index: 1, problems: 'id: invalid_type' }] },
    ]);
    expect(await h.keyhouse.drift()).toEqual({ reported: 0 });
    expect(securityNotes()).toHaveLength(2);
  });

  it('moves the cursor past every activity read, key event or not', async () => {
    // ClickHouse's own clock, so its activities get the instants the test gives them.
    const clickhouseClock = new ManualClock(Date.now());
    h = await Harness.start({
      policy: testPolicy({ security: { channel: SECURITY } }),
      emulator: { clock: clickhouseClock },
    });
    await h.keyhouse.drift();
    clickhouseClock.advance(60_000);
    h.clickhouse.asConsoleUser().addKey({ name: 'console-one' });
    clickhouseClock.advance(60_000);
    const started = h.clickhouse.addActivity({ type: 'service_start' });
    expect(await h.keyhouse.drift()).toEqual({ reported: 1 });
    expect(await h.store.getWatchState(DRIFT_CURSOR)).toBe(started.createdAt);
  });
});
