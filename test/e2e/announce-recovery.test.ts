/**
 * A request recorded but never posted (product.md §2: after a crash nothing is lost). The modal
 * tells the requester their request was sent as soon as it is recorded, and the approval message
 * follows; a process that dies between the two leaves a request nobody can see. The tick posts it,
 * once, never before `ANNOUNCE_AFTER_MS`, across a restart and with two replicas. The crash is the
 * workflow's `submit` without its `announce`: exactly what a process dying after the record leaves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../../dev/fake-slack/index.js';
import { ACCESS_RULE } from '../../src/core/access.js';
import type { RequestDraft } from '../../src/core/ports.js';
import { parsePolicy } from '../../src/policy/index.js';
import { ABANDONED_AFTER_MS } from '../../src/timers/scheduler.js';
import { ACTION } from '../../src/views/ids.js';
import { ANNOUNCE_AFTER_MS, ANNOUNCE_RULE } from '../../src/workflow/announce-mark.js';
import { ManualClock } from '../support/clock.js';
import { APPROVAL_CHANNEL, Harness, type Instance, USERS } from '../support/keyhouse.js';
import { testPolicyFields } from '../support/policy-fixture.js';
import { pgUrl } from '../support/postgres.js';

const { alice, bob, carol } = USERS;
const T0 = new Date('2026-12-01T09:00:00.000Z').getTime();
const SECURITY = 'C0SECURITY';

function policy() {
  const fields = testPolicyFields({ security: { channel: SECURITY } });
  const roles = fields.roles as Record<string, unknown>[];
  roles[1] = { ...roles[1], breakGlass: { maxExpiry: '4h', reviewWithin: '24h' } };
  return parsePolicy(JSON.stringify(fields), 'announce-policy.json');
}

const draft: RequestDraft = {
  keyName: 'etl-reader',
  roleId: 'developer',
  expiry: '30d',
  reason: 'nightly ETL',
  ipAccessList: '',
};

/** Alice breaks glass for an admin key (product.md §15). */
const breakGlass: RequestDraft = {
  ...draft,
  keyName: 'prod-admin',
  roleId: 'admin',
  expiry: '4h',
  reason: 'Incident 4711',
  breakGlass: true,
};

describe('a request a crash left unposted', () => {
  let h: Harness;
  let clock: ManualClock;

  afterEach(async () => {
    expect(h?.apiContractViolations() ?? []).toEqual([]);
    await h?.close();
  });

  async function start(options: { postgres?: string } = {}) {
    clock = new ManualClock(new Date(T0));
    h = await Harness.start({ clock, emulator: { clock }, keyListTtlMs: 0, policy: policy(), ...options });
  }

  /** Records a request as the modal's submission does, and "dies" before posting it. */
  async function recordedOnly(user: string, values: RequestDraft = draft, on: Instance = h.instances[0]!) {
    const submitted = await on.keyhouse.workflow.submit(user, values);
    if (!submitted.ok) throw new Error(`not recorded: ${JSON.stringify(submitted.errors)}`);
    return submitted.request;
  }

  /** The approval channel's top-level messages about a request. */
  const posts = (requestId: string): FakeMessage[] =>
    h.slack.messages(APPROVAL_CHANNEL).filter((m) => !m.thread_ts && JSON.stringify(m).includes(requestId));

  const tickAt = async (offsetMs: number, ...on: Instance[]) => {
    clock.set(T0 + offsetMs);
    const instances = on.length > 0 ? on : [h.instances[0]!];
    await Promise.all(instances.map((i) => i.keyhouse.tick()));
  };

  const announceAudit = async (requestId: string) =>
    (await h.store.listAudit({ requestId }))
      .filter((e) => e.action === `timer.${ANNOUNCE_RULE}`)
      .map((e) => e.outcome);

  it('is posted by the tick after a restart, once and never early, and approvers act on it (SQLite)', async () => {
    await start();
    const request = await recordedOnly(carol);
    await h.stopInstance(h.instances[0]!);
    const next = await h.startInstance();

    await tickAt(ANNOUNCE_AFTER_MS - 1, next);
    expect(posts(request.id)).toEqual([]);

    await tickAt(ANNOUNCE_AFTER_MS, next);
    expect(posts(request.id)).toHaveLength(1);
    await h.approvalMessage(request.id);
    await tickAt(ANNOUNCE_AFTER_MS + 5 * 60_000, next);
    expect(posts(request.id)).toHaveLength(1);
    expect(await announceAudit(request.id)).toEqual(['attempt', 'ok']);

    // The message works like any other: Bob approves, Carol gets Create key.
    await h.approve(bob, request.id, next);
    await h.claimMessage(carol, request.id);
    expect((await h.store.getRequest(request.id))?.state).toBe('approved');
  });

  it('a break glass gets its review message and its Create key DM from the tick', async () => {
    await start();
    const glass = await recordedOnly(alice, breakGlass);
    expect(glass.state).toBe('approved');
    await tickAt(ANNOUNCE_AFTER_MS);
    await h.claimMessage(alice, glass.id);
    const reviews = h.slack
      .messages(APPROVAL_CHANNEL)
      .filter((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes(ACTION.breakGlassKeep));
    expect(reviews).toHaveLength(1);
    const [grant] = await h.store.listTimerMarks({ rules: [ACCESS_RULE.grant], subjects: [glass.id] });
    expect(grant?.state).toBe('done');
    expect(h.slack.messages(SECURITY).some((m) => JSON.stringify(m).includes('prod-admin'))).toBe(true);
  });

  it('an approval whose Create key DM a crash lost: the DM follows, once, from the approval on', async () => {
    await start();
    await h.submitRequest(carol, { ...draft });
    const request = await h.latestRequest(carol);
    await h.approvalMessage(request.id);
    // Bob's approval is recorded at T0 + 5 min, and the process dies before the DM.
    clock.set(T0 + 5 * 60_000);
    const approval = await h.store.recordApproval({
      requestId: request.id,
      userId: bob,
      at: clock.now(),
      approvedDeadline: new Date(T0 + 3 * 86_400_000),
    });
    expect(approval.outcome).toBe('approved');
    const dms = () => h.slack.messages(carol).filter((m) => JSON.stringify(m).includes(ACTION.createKey));

    await tickAt(5 * 60_000 + ANNOUNCE_AFTER_MS - 1);
    expect(dms()).toEqual([]);
    await tickAt(5 * 60_000 + ANNOUNCE_AFTER_MS);
    await h.claimMessage(carol, request.id);
    await tickAt(ABANDONED_AFTER_MS * 2);
    expect(dms()).toHaveLength(1);
    // It works: Carol creates her key from it.
    await h.createKey(carol, request.id);
    await h.untilState(request.id, 'delivered');
  });

  it('a break glass whose review message a crash lost, after its approval message was posted', async () => {
    await start();
    const glass = await recordedOnly(alice, breakGlass);
    // The dying process claimed the post, posted the approval message, recorded it, and died there.
    const ctx = h.keyhouse.workflow.context;
    await h.store.claimTimer({
      rule: ANNOUNCE_RULE,
      subject: glass.id,
      threshold: 'post',
      holder: 'replica-that-died',
      dueAt: glass.createdAt,
      at: glass.createdAt,
      maxAttempts: 3,
    });
    const posted = await ctx.notifier.postApproval(await ctx.approvalCard(glass));
    await h.store.putMessageRef({ requestId: glass.id, kind: 'approval', ...posted });
    const reviews = () =>
      h.slack
        .messages(APPROVAL_CHANNEL)
        .filter((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes(ACTION.breakGlassKeep));

    // Its Create key DM was never claimed: it is sent a minute on. The review waits for the dead claim.
    await tickAt(ANNOUNCE_AFTER_MS);
    await h.claimMessage(alice, glass.id);
    expect(reviews()).toEqual([]);
    await tickAt(ABANDONED_AFTER_MS);
    expect(reviews()).toHaveLength(1);
    expect(posts(glass.id)).toHaveLength(2); // the approval message, and the review (which names the request)
    const [grant] = await h.store.listTimerMarks({ rules: [ACCESS_RULE.grant], subjects: [glass.id] });
    expect(grant?.state).toBe('done');
    await tickAt(2 * ABANDONED_AFTER_MS);
    expect(reviews()).toHaveLength(1);
  });

  it('a post claimed by a process that died is taken again only once the claim is abandoned', async () => {
    await start();
    const request = await recordedOnly(carol);
    // The submission claimed the post, then died before Slack answered.
    const claimed = await h.store.claimTimer({
      rule: ANNOUNCE_RULE,
      subject: request.id,
      threshold: 'post',
      holder: 'replica-that-died',
      dueAt: request.createdAt,
      at: request.createdAt,
      maxAttempts: 3,
    });
    expect(claimed).not.toBeNull();

    await tickAt(ABANDONED_AFTER_MS - 1);
    expect(posts(request.id)).toEqual([]);
    await tickAt(ABANDONED_AFTER_MS);
    expect(posts(request.id)).toHaveLength(1);
    await tickAt(2 * ABANDONED_AFTER_MS);
    expect(posts(request.id)).toHaveLength(1);
  });

  it('a channel refusing the post is tried again at the next tick, and the request is not withdrawn', async () => {
    await start();
    const request = await recordedOnly(carol);
    // A tick before it is due does the day's other posts (the audit head), so the failure is the post's.
    await tickAt(ANNOUNCE_AFTER_MS - 1);
    h.slack.failNext('chat.postMessage', 1, { error: 'fatal_error' });
    await tickAt(ANNOUNCE_AFTER_MS);
    expect(posts(request.id)).toEqual([]);
    expect((await h.store.getRequest(request.id))?.state).toBe('pending');

    await tickAt(ANNOUNCE_AFTER_MS + 60_000);
    expect(posts(request.id)).toHaveLength(1);
    expect(await announceAudit(request.id)).toEqual(['attempt', 'failed', 'attempt', 'ok']);
  });

  it('a request its submission posted is never posted again by the tick', async () => {
    await start();
    await h.submitRequest(carol, { ...draft });
    const request = await h.latestRequest(carol);
    await h.approvalMessage(request.id);
    // Settled just after the post is recorded; the clock moves on only then (a live claim is never 10 min old).
    await h.until(async () => {
      const [mark] = await h.store.listTimerMarks({ rules: [ANNOUNCE_RULE], subjects: [request.id] });
      return mark?.state === 'done';
    }, 'the post to be settled');
    await tickAt(ANNOUNCE_AFTER_MS);
    await tickAt(ABANDONED_AFTER_MS * 2);
    expect(posts(request.id)).toHaveLength(1);
    expect(await announceAudit(request.id)).toEqual([]);
  });

  it.skipIf(!pgUrl)('two replicas ticking together post it once (PostgreSQL)', async () => {
    await start({ postgres: pgUrl ?? '' });
    const second = await h.startInstance();
    const first = h.instances[0]!;
    const request = await recordedOnly(carol, draft, second);
    await tickAt(ANNOUNCE_AFTER_MS, first, second);
    // Past the replica lease: either may take the next tick.
    await tickAt(ANNOUNCE_AFTER_MS + 3 * 60_000, second, first);
    await tickAt(ANNOUNCE_AFTER_MS + 6 * 60_000, first, second);
    expect(posts(request.id)).toHaveLength(1);
    expect(await announceAudit(request.id)).toEqual(['attempt', 'ok']);
  });
});
