/**
 * The timed lifecycle (product.md §8) end to end: the real Bolt app, the fake Slack, the
 * ClickHouse emulator and a real SQLite file (PostgreSQL for replicas), with a clock the test
 * moves. Each timed rule acts once and never early, also across a restart in the middle and with
 * two replicas on one PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../../dev/fake-slack/index.js';
import type { PolicyDocument } from '../../src/policy/index.js';
import { ACTION, BLOCK } from '../../src/views/ids.js';
import { ManualClock } from '../support/clock.js';
import {
  APPROVAL_CHANNEL,
  Harness,
  type HarnessOptions,
  type Instance,
  testPolicy,
  USERS,
} from '../support/keyhouse.js';
import { pgUrl } from '../support/postgres.js';
import { appHomeOpened, userChange } from '../support/slack-payloads.js';

const { alice, bob, carol } = USERS;
const T0 = new Date('2026-06-01T08:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Only the lifecycle parts a test names are on. */
function policy(
  lifecycle: Record<string, unknown> = {},
  approvalReminders: Record<string, unknown> = {},
): PolicyDocument {
  return testPolicy({
    lifecycle: { expiryWarnings: [], staleAfter: 'never', ...lifecycle },
    approvalReminders: { remindAfter: 'never', escalateAfter: 'never', ...approvalReminders },
    security: { channel: 'C0SECURITY' },
  });
}

describe('lifecycle timers', () => {
  let h: Harness;
  let clock: ManualClock;

  afterEach(async () => {
    // Every ClickHouse call the timers made conforms to the published API.
    expect(h?.apiContractViolations() ?? []).toEqual([]);
    await h?.close();
  });

  /**
   * The key list is read fresh by default, so changes made behind the client's back (a use) show;
   * ClickHouse's budget (10 per 10 s) then paces a long test, which may keep the client's cache.
   */
  async function start(doc: PolicyDocument, options: HarnessOptions & { postgres?: string } = {}) {
    clock = new ManualClock(T0);
    h = await Harness.start({ clock, emulator: { clock }, keyListTtlMs: 0, policy: doc, ...options });
  }

  /** A key made through Keyhouse for `owner` (seeded as the workflow records it). */
  async function ownedKey(owner: string, name: string, expiresInMs: number | null = 30 * DAY) {
    const expireAt =
      expiresInMs === null ? null : new Date(clock.now().getTime() + expiresInMs).toISOString();
    const made = h.clickhouse.addKey({ name, roles: ['developer'], expireAt });
    await h.store.putKeyOwner({
      keyId: made.key.id,
      ownerId: owner,
      requestId: null,
      keyName: name,
      keySuffix: made.key.keySuffix,
      createdAt: clock.now(),
    });
    return made;
  }

  /** What the security channel was told, but the audit chain's daily head (test/e2e/audit-head.test.ts). */
  const securityNotes = (): FakeMessage[] =>
    h.slack.messages('C0SECURITY').filter((m) => !JSON.stringify(m.blocks ?? []).includes(BLOCK.auditHead));

  /** The app's DMs to `user` that mention `text`. */
  const dms = (user: string, text: string): FakeMessage[] =>
    h.slack.messages(user).filter((m) => JSON.stringify(m).includes(text));

  const buttons = (message: FakeMessage | undefined) =>
    (
      (message?.blocks ?? []) as Array<{
        type: string;
        elements?: Array<{ action_id?: string; value?: string }>;
      }>
    )
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? [])
      .map((e) => `${e.action_id}=${e.value}`);

  const tickAt = async (at: number, instance?: Instance) => {
    clock.set(at);
    return (instance ?? h.instances[0])!.keyhouse.tick();
  };

  describe('expiry warnings', () => {
    it('warns the owner at each threshold, never early and only once, with Extend and Rotate', async () => {
      await start(policy({ expiryWarnings: ['7d', '1d'] }));
      const { key } = await ownedKey(alice, 'etl-reader', 10 * DAY);
      const expireAt = T0.getTime() + 10 * DAY;

      await tickAt(T0.getTime());
      await tickAt(expireAt - 7 * DAY - 1);
      expect(dms(alice, 'etl-reader')).toHaveLength(0);

      await tickAt(expireAt - 7 * DAY);
      await tickAt(expireAt - 7 * DAY + MINUTE);
      await tickAt(expireAt - 2 * DAY);
      const first = dms(alice, 'etl-reader');
      expect(first).toHaveLength(1);
      expect(first[0]?.text).toContain(`etl-reader (…${key.keySuffix}) expires`);
      expect(first[0]?.text).toContain('in 7 days');
      expect(JSON.stringify(first[0]?.blocks)).toContain('Developer (read-only)');
      expect(buttons(first[0])).toEqual([`${ACTION.extendKey}=${key.id}`, `${ACTION.rotateKey}=${key.id}`]);

      await tickAt(expireAt - DAY - 1);
      expect(dms(alice, 'etl-reader')).toHaveLength(1);
      await tickAt(expireAt - DAY);
      await tickAt(expireAt - HOUR);
      const both = dms(alice, 'etl-reader');
      expect(both).toHaveLength(2);
      expect(both[1]?.text).toContain('(tomorrow)');

      const audit = (await h.store.listAudit({ keyId: key.id })).filter(
        (e) => e.action === 'timer.expiry.warning',
      );
      expect(audit.map((e) => e.outcome)).toEqual(['attempt', 'ok', 'attempt', 'ok']);
      expect(audit[0]?.actorId).toBe('system');
    });

    it('warns a key already past several thresholds once, made through the whole request flow', async () => {
      await start(policy({ expiryWarnings: ['7d', '1d'] }));
      await h.submitRequest(alice, {
        keyName: 'one-day-key',
        roleId: 'query-endpoints',
        expiry: '1d',
        reason: 'a one day backfill job',
      });
      const request = await h.latestRequest(alice);
      await h.claimMessage(alice, request.id);
      await h.createKey(alice, request.id);
      await h.untilState(request.id, 'delivered');

      for (let i = 0; i < 3; i += 1) await tickAt(T0.getTime() + i * MINUTE);
      const warnings = dms(alice, 'expires');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.text).toContain('one-day-key');
      expect(warnings[0]?.text).toMatch(/\((today|tomorrow)\)/);
      await tickAt(T0.getTime() + 20 * HOUR);
      expect(dms(alice, 'expires')).toHaveLength(1);

      // The timers never carry the secret: it was shown once, on the click's response_url.
      const reveal = h.slack.responseUrlPosts.find((p) =>
        /curl --user '[^':]+:[^']+'/.test(JSON.stringify(p.body)),
      );
      const secret = /curl --user '[^':]+:([^']+)'/.exec(JSON.stringify(reveal?.body))?.[1] ?? '';
      expect(secret.length).toBeGreaterThan(10);
      expect(h.traces(secret)).toEqual({
        slackMessages: 1,
        slackAttempts: ['response_url:ok'],
        logs: 0,
        database: 0,
        clickhouseLog: 0,
      });
    });

    it('warns again before a new expiry when the key was extended', async () => {
      await start(policy({ expiryWarnings: ['1d'] }));
      const { key } = await ownedKey(alice, 'etl-reader', 2 * DAY);
      await tickAt(T0.getTime() + DAY);
      expect(dms(alice, 'etl-reader')).toHaveLength(1);
      await h.client.updateKey(key.id, { expireAt: new Date(T0.getTime() + 5 * DAY).toISOString() });
      await tickAt(T0.getTime() + DAY + HOUR);
      expect(dms(alice, 'etl-reader')).toHaveLength(1);
      await tickAt(T0.getTime() + 4 * DAY);
      expect(dms(alice, 'etl-reader')).toHaveLength(2);
    });

    it('tells the owner once when a key has expired, and leaves disabled and unowned keys alone', async () => {
      await start(policy({ expiryWarnings: ['1d'] }));
      const { key } = await ownedKey(alice, 'short-lived', 2 * HOUR);
      const off = await ownedKey(alice, 'switched-off', 2 * HOUR);
      await h.client.updateKey(off.key.id, { state: 'disabled' });
      h.clickhouse.addKey({
        name: 'console-made',
        roles: ['developer'],
        expireAt: new Date(T0.getTime() + HOUR).toISOString(),
      });

      await tickAt(T0.getTime());
      expect(dms(alice, 'short-lived')).toHaveLength(1);
      await tickAt(T0.getTime() + 2 * HOUR - 1);
      expect(dms(alice, 'expired')).toHaveLength(0);
      await tickAt(T0.getTime() + 2 * HOUR);
      await tickAt(T0.getTime() + 3 * HOUR);
      await tickAt(T0.getTime() + 30 * DAY);
      const expired = dms(alice, 'expired');
      expect(expired).toHaveLength(1);
      expect(expired[0]?.text).toContain(`short-lived (…${key.keySuffix}) expired`);
      expect(dms(alice, 'switched-off')).toHaveLength(0);
      expect(JSON.stringify(h.slack.calls)).not.toContain('console-made');
    });

    it('deletes an expired key deleteExpiredAfter later, through the workflow, and tells the owner', async () => {
      await start(policy({ deleteExpiredAfter: '7d' }));
      const { key } = await ownedKey(alice, 'old-job', DAY);
      const keep = await ownedKey(bob, 'no-expiry', null);

      await tickAt(T0.getTime() + 8 * DAY - 1);
      expect(h.clickhouse.keys().map((k) => k.id)).toContain(key.id);
      await tickAt(T0.getTime() + 8 * DAY);
      await tickAt(T0.getTime() + 9 * DAY);
      expect(h.clickhouse.keys().map((k) => k.id)).not.toContain(key.id);
      expect(h.clickhouse.keys().map((k) => k.id)).toContain(keep.key.id);
      expect(await h.store.getKeyOwner(key.id)).toBeNull();
      const actions = (await h.store.listAudit({ keyId: key.id }))
        .map((e) => `${e.action}:${e.outcome}`)
        .filter((a) => !a.startsWith('timer.expiry.expired'));
      expect(actions).toEqual([
        'timer.expiry.delete:attempt',
        'key.delete:attempt',
        'key.delete:ok',
        'timer.expiry.delete:ok',
      ]);
      expect(dms(alice, 'was deleted')).toHaveLength(1);
      expect(h.clickhouse.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    });
    it('a tick with a backlog makes one key list and at most writesPerTick writes', async () => {
      await start(policy({ deleteExpiredAfter: '1d' }), { timers: { writesPerTick: 2 } });
      for (let i = 0; i < 5; i += 1) await ownedKey(alice, `backlog-${i}`, HOUR);
      clock.set(T0.getTime() + 3 * DAY);
      const before = h.clickhouse.requests.length;
      expect(await h.keyhouse.tick()).toMatchObject({ deferred: 3 });
      // (Besides, once per process, the organization is discovered.)
      const sent = h.clickhouse.requests
        .slice(before)
        .filter((r) => r.path !== '/v1/organizations')
        .map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ':id')}`);
      expect(sent.sort()).toEqual([
        'DELETE /v1/organizations/:id/keys/:id',
        'DELETE /v1/organizations/:id/keys/:id',
        'GET /v1/organizations/:id/keys',
      ]);
      // The other three stay due for later ticks (the scheduler test follows a backlog to its end).
      expect(h.clickhouse.keys().filter((k) => k.name.startsWith('backlog-'))).toHaveLength(3);
    });
  });

  describe('stale keys', () => {
    /** Uses a key as a client would: the emulator records `usedAt` to the minute. */
    async function use(made: { keyId: string; keySecret: string }) {
      const auth = Buffer.from(`${made.keyId}:${made.keySecret}`).toString('base64');
      const answer = await fetch(`${h.clickhouse.url}/v1/organizations`, {
        headers: { authorization: `Basic ${auth}` },
      });
      expect(answer.status).toBe(200);
    }

    const staleDm = (name: string) => dms(alice, name).filter((m) => buttons(m).length === 3);

    it('offers a key unused for staleAfter once; Keep asks again after another staleAfter', async () => {
      await start(policy({ staleAfter: '30d' }));
      const made = await ownedKey(alice, 'quiet-key', 365 * DAY);
      await tickAt(T0.getTime() + 30 * DAY - 1);
      expect(staleDm('quiet-key')).toHaveLength(0);
      await tickAt(T0.getTime() + 30 * DAY);
      await tickAt(T0.getTime() + 31 * DAY);
      const offers = staleDm('quiet-key');
      expect(offers).toHaveLength(1);
      expect(offers[0]?.text).toContain('never used');
      expect(buttons(offers[0])).toEqual([
        `${ACTION.staleKeep}=${made.key.id}`,
        `${ACTION.staleDisable}=${made.key.id}`,
        `${ACTION.staleDelete}=${made.key.id}`,
      ]);

      const keptAt = T0.getTime() + 32 * DAY;
      clock.set(keptAt);
      await h.click(alice, ACTION.staleKeep, made.key.id, {
        channel: h.slack.dmChannel(alice),
        message: offers[0],
      });
      await h.slack.waitFor(() => dms(alice, 'kept').length === 1 || undefined, {
        message: 'the DM rewritten',
      });
      expect(staleDm('quiet-key')).toHaveLength(0);
      expect((await h.store.listAudit({ keyId: made.key.id })).map((e) => e.action)).toContain('key.keep');

      await tickAt(keptAt + 30 * DAY - 1);
      expect(staleDm('quiet-key')).toHaveLength(0);
      await tickAt(keptAt + 30 * DAY);
      await tickAt(keptAt + 30 * DAY + HOUR);
      expect(staleDm('quiet-key')).toHaveLength(1);
    });

    it('counts from the last use; a used key is not offered', async () => {
      await start(policy({ staleAfter: '30d' }));
      const made = await ownedKey(alice, 'busy-key', 365 * DAY);
      clock.set(T0.getTime() + 20 * DAY);
      await use(made);
      await tickAt(T0.getTime() + 45 * DAY);
      expect(staleDm('busy-key')).toHaveLength(0);
      await tickAt(T0.getTime() + 50 * DAY);
      const offers = staleDm('busy-key');
      expect(offers).toHaveLength(1);
      expect(offers[0]?.text).toContain('not used since 2026-06-21 08:00 UTC');
    });

    it('Disable and Delete act with the owner’s authority and rewrite the DM', async () => {
      await start(policy({ staleAfter: '30d' }));
      const a = await ownedKey(alice, 'quiet-one', 365 * DAY);
      const b = await ownedKey(alice, 'quiet-two', 365 * DAY);
      await tickAt(T0.getTime() + 31 * DAY);
      const [offerA, offerB] = [staleDm('quiet-one')[0], staleDm('quiet-two')[0]];
      expect(offerA && offerB).toBeTruthy();

      // Someone else's click changes nothing.
      await h.click(carol, ACTION.staleDisable, a.key.id, {
        channel: h.slack.dmChannel(alice),
        message: offerA,
      });
      await h.quiet();
      expect(h.clickhouse.keys().find((k) => k.id === a.key.id)?.state).toBe('enabled');

      await h.click(alice, ACTION.staleDisable, a.key.id, {
        channel: h.slack.dmChannel(alice),
        message: offerA,
      });
      await h.slack.waitFor(() => dms(alice, 'Disabled quiet-one').length === 1 || undefined, {
        message: 'disabled',
      });
      expect(h.clickhouse.keys().find((k) => k.id === a.key.id)?.state).toBe('disabled');

      await h.click(alice, ACTION.staleDelete, b.key.id, {
        channel: h.slack.dmChannel(alice),
        message: offerB,
      });
      await h.slack.waitFor(() => dms(alice, 'Deleted quiet-two').length === 1 || undefined, {
        message: 'deleted',
      });
      expect(h.clickhouse.keys().find((k) => k.id === b.key.id)).toBeUndefined();
      expect(await h.store.getKeyOwner(b.key.id)).toBeNull();
      expect(staleDm('quiet-')).toHaveLength(0);

      // A disabled key is not offered again.
      await tickAt(T0.getTime() + 90 * DAY);
      expect(staleDm('quiet-')).toHaveLength(0);
    });
  });

  describe('approvals that stall', () => {
    /** Replies under the approval message of `requestId`. */
    async function threadReplies(requestId: string): Promise<FakeMessage[]> {
      const parent = await h.approvalMessage(requestId);
      return h.slack.messages(APPROVAL_CHANNEL).filter((m) => m.thread_ts === parent.ts);
    }

    it('reminds the approvers once after remindAfter and the admins once after escalateAfter', async () => {
      await start(policy({}, { remindAfter: '4h', escalateAfter: '12h' }));
      await h.submitRequest(alice, {
        keyName: 'slow-one',
        roleId: 'developer',
        expiry: '30d',
        reason: 'quarterly reporting',
      });
      const request = await h.latestRequest(alice);
      await h.submitRequest(carol, {
        keyName: 'quick-one',
        roleId: 'developer',
        expiry: '30d',
        reason: 'quarterly reporting',
      });
      const decided = await h.latestRequest(carol);
      await h.approvalMessage(decided.id);
      await h.approve(bob, decided.id);
      await h.untilState(decided.id, 'approved');

      await tickAt(T0.getTime() + 4 * HOUR - 1);
      expect(await threadReplies(request.id)).toHaveLength(0);
      await tickAt(T0.getTime() + 4 * HOUR);
      await tickAt(T0.getTime() + 5 * HOUR);
      const reminded = await threadReplies(request.id);
      expect(reminded).toHaveLength(1);
      expect(reminded[0]?.text).toContain(`<@${bob}>, <@${carol}>, <@${USERS.dave}>`);
      expect(reminded[0]?.text).not.toContain(USERS.admin);

      await h.post({ kind: 'event', payload: appHomeOpened({ user: alice }) });
      await h.slack.waitFor(
        () => JSON.stringify(h.slack.home(alice) ?? {}).includes('approvers reminded') || undefined,
        {
          message: 'Home shows the reminder',
        },
      );

      await tickAt(T0.getTime() + 12 * HOUR);
      await tickAt(T0.getTime() + 20 * HOUR);
      const replies = await threadReplies(request.id);
      expect(replies).toHaveLength(2);
      expect(replies[1]?.text).toContain(`<@${USERS.admin}>`);
      expect(replies[1]?.text).toContain('still needs a decision');
      // The request approved in time was never nudged.
      expect((await threadReplies(decided.id)).filter((m) => /waiting/.test(m.text ?? ''))).toHaveLength(0);

      await h.post({ kind: 'event', payload: appHomeOpened({ user: alice }) });
      await h.slack.waitFor(
        () => JSON.stringify(h.slack.home(alice) ?? {}).includes('admins asked') || undefined,
        {
          message: 'Home shows the escalation',
        },
      );
    });
  });

  describe('offboarding', () => {
    const reports = securityNotes;
    const state = (id: string) => h.clickhouse.keys().find((k) => k.id === id)?.state ?? 'gone';

    async function untilOffboarded(user: string) {
      await h.until(async () => {
        const marks = await h.store.listTimerMarks({ rules: ['offboarding.user'], subjects: [user] });
        return marks[0]?.state === 'done';
      }, `${user} offboarded`);
    }

    it('on a user_change event: disables their keys, cancels their requests, reports once', async () => {
      await start(policy());
      const k1 = await ownedKey(alice, 'alice-etl');
      const k2 = await ownedKey(alice, 'alice-bi');
      const other = await ownedKey(bob, 'bob-etl');
      await h.submitRequest(alice, {
        keyName: 'alice-new',
        roleId: 'developer',
        expiry: '30d',
        reason: 'quarterly reporting',
      });
      const pending = await h.latestRequest(alice);
      await h.approvalMessage(pending.id);
      // The clock stands still: a later creation time keeps `latestRequest` unambiguous.
      clock.advance(1_000);
      await h.submitRequest(alice, {
        keyName: 'alice-auto',
        roleId: 'query-endpoints',
        expiry: '30d',
        reason: 'quarterly reporting',
      });
      const approved = await h.latestRequest(alice);
      await h.claimMessage(alice, approved.id);

      h.slack.deactivateUser(alice);
      await h.post({ kind: 'event', payload: userChange({ user: alice, deleted: true }) });
      await untilOffboarded(alice);
      await h.keyhouse.tick();
      await h.keyhouse.tick();
      await h.slack.waitFor(() => reports()[0], { message: 'the security report' });

      expect([state(k1.key.id), state(k2.key.id), state(other.key.id)]).toEqual([
        'disabled',
        'disabled',
        'enabled',
      ]);
      expect((await h.store.getRequest(pending.id))?.state).toBe('expired');
      expect((await h.store.getRequest(approved.id))?.state).toBe('expired');
      const thread = h.slack.messages(APPROVAL_CHANNEL).filter((m) => (m.text ?? '').includes('Cancelled'));
      expect(thread.length).toBeGreaterThanOrEqual(1);
      // The Create key button is gone from the DM.
      const dm = h.slack.messages(alice).find((m) => JSON.stringify(m).includes(approved.id));
      expect(JSON.stringify(dm?.blocks ?? [])).not.toContain(ACTION.createKey);

      const [report] = reports();
      const blocks = (report?.blocks ?? []) as Array<{
        block_id?: string;
        accessory?: { type: string; action_id: string; options: Array<{ value: string }> };
      }>;
      for (const made of [k1, k2]) {
        const block = blocks.find((b) => b.block_id === `offboard|${made.key.id}`);
        expect(block?.accessory?.type).toBe('overflow');
        expect(block?.accessory?.action_id).toBe(ACTION.keyMenu);
        expect(block?.accessory?.options.map((o) => o.value)).toContain(`enable:${made.key.id}`);
      }
      expect(report?.text).toContain(alice);
      expect(JSON.stringify(report)).toContain('2 requests of theirs cancelled');

      // The same news again (Slack retries, a second event) changes nothing.
      await h.post({ kind: 'event', payload: userChange({ user: alice, deleted: true }) });
      await h.quiet();
      await tickAt(T0.getTime() + DAY);
      await h.keyhouse.tick();
      expect(reports()).toHaveLength(1);
      expect(h.clickhouse.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
      // A profile change that is not a deactivation is not offboarding.
      await h.post({ kind: 'event', payload: userChange({ user: bob, deleted: false }) });
      await h.quiet();
      expect(await h.store.listTimerMarks({ rules: ['offboarding.user'], subjects: [bob] })).toEqual([]);
    });

    it('ends with a reactivation: what was done stays done, keys they get later are left alone (issue 19, hole 1)', async () => {
      await start(policy());
      const before = await ownedKey(alice, 'alice-etl');
      h.slack.deactivateUser(alice);
      await h.post({ kind: 'event', payload: userChange({ user: alice, deleted: true }) });
      await untilOffboarded(alice);
      await h.keyhouse.tick();
      await h.keyhouse.tick();
      expect(state(before.key.id)).toBe('disabled');
      await h.slack.waitFor(() => reports()[0], { message: 'the offboarding report' });

      // Back in Slack: the security channel hears it once, and nothing more is done to them.
      h.slack.reactivateUser(alice);
      await h.post({ kind: 'event', payload: userChange({ user: alice, deleted: false }) });
      await h.post({ kind: 'event', payload: userChange({ user: alice, deleted: false }) });
      await h.slack.waitFor(() => reports().find((m) => /reactivated/i.test(m.text ?? '')), {
        message: 'the reactivation notice',
      });
      const later = await ownedKey(alice, 'alice-new');
      const given = await ownedKey(bob, 'bob-etl');
      await h.store.putKeyOwner({ ...(await h.store.getKeyOwner(given.key.id))!, ownerId: alice });
      await tickAt(clock.now().getTime() + HOUR);
      await tickAt(clock.now().getTime() + DAY);
      await h.keyhouse.tick();
      expect([state(before.key.id), state(later.key.id), state(given.key.id)]).toEqual([
        'disabled',
        'enabled',
        'enabled',
      ]);
      expect(reports().filter((m) => /reactivated/i.test(m.text ?? ''))).toHaveLength(1);
    });

    it('by the daily users.info check, once a day, deleting keys when the policy says delete', async () => {
      await start(policy({ offboarding: 'delete' }));
      const gone = await ownedKey(bob, 'bob-etl');
      const stays = await ownedKey(carol, 'carol-etl');
      const lookups = () => h.slack.callsTo('users.info').length;

      await tickAt(T0.getTime());
      const firstDay = lookups();
      expect(firstDay).toBe(2);
      expect(reports()).toHaveLength(0);

      h.slack.deactivateUser(bob);
      await tickAt(Date.parse('2026-06-01T23:59:00.000Z'));
      expect(lookups()).toBe(firstDay);
      expect(state(gone.key.id)).toBe('enabled');

      // The next UTC day: the check finds bob.
      await tickAt(Date.parse('2026-06-02T00:00:00.000Z'));
      expect(lookups()).toBe(firstDay + 2);
      await tickAt(Date.parse('2026-06-02T00:01:00.000Z'));
      await tickAt(Date.parse('2026-06-02T00:02:00.000Z'));
      expect(state(gone.key.id)).toBe('gone');
      expect(state(stays.key.id)).toBe('enabled');
      expect(await h.store.getKeyOwner(gone.key.id)).toBeNull();
      expect(reports()).toHaveLength(1);
      expect(JSON.stringify(reports()[0]?.blocks)).toContain('🗑️ deleted');
      expect(JSON.stringify(reports()[0])).toContain('daily check');

      await tickAt(Date.parse('2026-06-03T00:00:00.000Z'));
      await tickAt(Date.parse('2026-06-03T00:01:00.000Z'));
      expect(reports()).toHaveLength(1);
      // Bob owns nothing any more and is not asked about again; carol is.
      expect(h.slack.callsTo('users.info').slice(-1)[0]?.args.user).toBe(carol);
    });
  });

  describe('once across restarts and replicas', () => {
    const everything = () =>
      policy(
        { expiryWarnings: ['7d', '1d'], deleteExpiredAfter: '1d', staleAfter: '30d', offboarding: 'disable' },
        { remindAfter: '4h', escalateAfter: '12h' },
      );
    const dave = USERS.dave;

    /**
     * Every timed rule on one timeline: a key expiring (two warnings, the expired notice, the
     * deletion), an idle key (a stale offer), a waiting request (reminder, escalation) and a user
     * deactivated without an event (daily check, key disabled, report). `step` runs the ticks of
     * one moment; the test's `step` restarts or runs two replicas in between.
     */
    async function timeline(step: (at: number) => Promise<void>) {
      const expiring = await ownedKey(alice, 'timeline-key', 10 * DAY);
      const idle = await ownedKey(bob, 'idle-key', null);
      const leaver = await ownedKey(dave, 'leaver-key', null);
      await h.submitRequest(carol, {
        keyName: 'waiting',
        roleId: 'developer',
        expiry: '30d',
        reason: 'quarterly reporting',
      });
      const waiting = await h.latestRequest(carol);
      const parent = await h.approvalMessage(waiting.id);

      for (const offset of [
        0,
        4 * HOUR,
        12 * HOUR,
        3 * DAY,
        9 * DAY,
        10 * DAY,
        11 * DAY,
        12 * DAY,
        30 * DAY,
        31 * DAY,
      ]) {
        await step(T0.getTime() + offset);
        if (offset === 3 * DAY) h.slack.deactivateUser(dave);
      }

      expect(dms(alice, 'timeline-key').filter((m) => (m.text ?? '').includes(' expires '))).toHaveLength(2);
      const expiredNotices = dms(alice, 'timeline-key').filter((m) =>
        / expired \S+ \S+ UTC\.$/.test(m.text ?? ''),
      );
      expect(expiredNotices).toHaveLength(1);
      expect(dms(alice, 'was deleted')).toHaveLength(1);
      expect(h.clickhouse.keys().find((k) => k.id === expiring.key.id)).toBeUndefined();
      expect(h.clickhouse.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
      expect(dms(bob, 'idle-key').filter((m) => buttons(m).length === 3)).toHaveLength(1);
      const nudges = h.slack
        .messages(APPROVAL_CHANNEL)
        .filter((m) => m.thread_ts === parent.ts && /waiting/.test(m.text ?? ''));
      expect(nudges).toHaveLength(2);
      expect(securityNotes()).toHaveLength(1);
      expect(h.clickhouse.keys().find((k) => k.id === leaver.key.id)?.state).toBe('disabled');
      expect(h.clickhouse.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
      expect(h.clickhouse.keys().find((k) => k.id === idle.key.id)?.state).toBe('enabled');

      // Each (rule, subject, threshold) was attempted exactly once.
      const attempts = (await h.store.listAudit())
        .filter((e) => e.action.startsWith('timer.') && e.outcome === 'attempt')
        .map((e) => `${e.action} ${String(e.detail?.subject)} ${String(e.detail?.threshold)}`);
      expect(attempts.length).toBeGreaterThanOrEqual(12);
      expect(new Set(attempts).size).toBe(attempts.length);
      expect((await h.store.listTimerMarks()).filter((m) => m.state !== 'done')).toEqual([]);
    }

    it('a restart before every tick neither repeats nor loses an action (SQLite)', async () => {
      // The timeline changes nothing behind the client's back: its cached list stays true.
      await start(everything(), { keyListTtlMs: 5_000 });
      await timeline(async (at) => {
        await h.stopInstance(h.instances[0] as Instance);
        const next = await h.startInstance();
        clock.set(at);
        await next.keyhouse.tick();
        await next.keyhouse.tick();
      });
    });

    it.skipIf(!pgUrl)('two replicas ticking together never double an action (PostgreSQL)', async () => {
      await start(everything(), { postgres: pgUrl ?? '', keyListTtlMs: 5_000 });
      const second = await h.startInstance();
      await timeline(async (at) => {
        const [a, b] = [h.instances[0] as Instance, second];
        clock.set(at);
        await Promise.all([a.keyhouse.tick(), b.keyhouse.tick()]);
        // Past the lease: either replica may take the next tick.
        clock.set(at + 3 * MINUTE);
        await Promise.all([b.keyhouse.tick(), a.keyhouse.tick()]);
        clock.set(at + 6 * MINUTE);
        await Promise.all([a.keyhouse.tick(), b.keyhouse.tick()]);
      });
    });

    it.skipIf(!pgUrl)('a user_change event seen by both replicas offboards once (PostgreSQL)', async () => {
      await start(policy(), { postgres: pgUrl ?? '' });
      const second = await h.startInstance();
      const k = await ownedKey(alice, 'alice-etl');
      h.slack.deactivateUser(alice);
      await Promise.all([
        h.post({ kind: 'event', payload: userChange({ user: alice, deleted: true }) }),
        h.post({ kind: 'event', payload: userChange({ user: alice, deleted: true }) }, { to: second }),
      ]);
      await h.until(async () => {
        const marks = await h.store.listTimerMarks({ rules: ['offboarding.user'] });
        return marks[0]?.state === 'done';
      }, 'offboarded');
      for (let i = 1; i <= 4; i += 1) {
        clock.set(T0.getTime() + i * 3 * MINUTE);
        await Promise.all([h.keyhouse.tick(), second.keyhouse.tick()]);
      }
      await h.quiet();
      expect(h.clickhouse.keys().find((x) => x.id === k.key.id)?.state).toBe('disabled');
      expect(securityNotes()).toHaveLength(1);
      const offboarded = (await h.store.listAudit()).filter((e) => e.action === 'timer.offboarding.user');
      expect(offboarded.map((e) => e.outcome)).toEqual(['attempt', 'ok']);
    });
  });
});
