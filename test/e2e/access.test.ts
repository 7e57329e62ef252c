/**
 * On-call approval and break glass end to end (product.md §15): through the real app, the fake
 * Slack's user groups and the ClickHouse emulator, on the injectable clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../../dev/fake-slack/index.js';
import { ACCESS_RULE } from '../../src/core/access.js';
import { parsePolicy } from '../../src/policy/index.js';
import { ACTION, BLOCK } from '../../src/views/ids.js';
import { ManualClock } from '../support/clock.js';
import { APPROVAL_CHANNEL, Harness, type Instance, USERS } from '../support/keyhouse.js';
import { testPolicyFields } from '../support/policy-fixture.js';
import { pgUrl } from '../support/postgres.js';

const { alice, bob, carol, eve } = USERS;
const HOUR = 3_600_000;
const T0 = new Date('2026-12-01T09:00:00.000Z');
const SECURITY = 'C0SECURITY';

function policy() {
  const fields = testPolicyFields({ security: { channel: SECURITY } });
  const roles = fields.roles as Record<string, unknown>[];
  roles[0] = { ...roles[0], autoApprove: { whenIn: ['S0ONCALL'], maxExpiry: '12h' } };
  roles[1] = { ...roles[1], breakGlass: { maxExpiry: '4h', reviewWithin: '24h' } };
  return parsePolicy(JSON.stringify(fields), 'access-policy.json');
}

describe('on call and break glass', () => {
  let h: Harness;
  let clock: ManualClock;

  afterEach(async () => {
    expect(h?.apiContractViolations() ?? []).toEqual([]);
    await h?.close();
  });

  async function start(options: { postgres?: string } = {}) {
    clock = new ManualClock(T0);
    h = await Harness.start({
      clock,
      emulator: { clock },
      keyListTtlMs: 0,
      policy: policy(),
      slack: { usergroups: { S0ONCALL: [alice] } },
      ...options,
    });
  }

  const request = { keyName: 'incident-read', roleId: 'developer', reason: 'Incident 4711: the ingest lags' };

  /** Creates the key of an approved request as its requester; the key as ClickHouse has it. */
  async function claim(user: string, requestId: string) {
    await h.claimMessage(user, requestId);
    await h.createKey(user, requestId);
    const done = await h.untilState(requestId, 'delivered');
    const key = h.clickhouse.keys().find((k) => k.id === done.keyId);
    if (!key) throw new Error('no key made');
    return key;
  }

  const threadReplies = (message: FakeMessage) =>
    h.slack.messages(APPROVAL_CHANNEL).filter((m) => m.thread_ts === message.ts);

  describe('on call', () => {
    it('approves a member of the on-call group at once, within maxExpiry, and says who and why', async () => {
      await start();
      expect((await h.submitRequest(alice, { ...request, expiry: '12h' })).status).toBe(200);
      const submitted = await h.latestRequest(alice);
      expect(submitted).toMatchObject({ state: 'approved', approvalsRequired: 0 });
      const message = await h.approvalMessage(submitted.id);
      // No Approve button: nobody has to.
      expect(JSON.stringify(message.blocks)).not.toContain(ACTION.approve);
      const note = await h.until(() => threadReplies(message)[0], 'the on-call note');
      expect(note.text).toContain(`<@${alice}>`);
      expect(note.text).toContain('<!subteam^S0ONCALL>');

      const key = await claim(alice, submitted.id);
      // Made without an approver, and it works for 12 h from its creation, no longer.
      expect(new Date(key.expireAt ?? 0).getTime() - T0.getTime()).toBe(12 * HOUR);
      const audit = await h.store.listAudit({ requestId: submitted.id });
      expect(audit.find((e) => e.action === 'request.approved')).toMatchObject({
        actorId: 'policy',
        detail: { by: 'on_call', group: 'S0ONCALL' },
      });
    });

    it('sends a longer expiry, or someone off call, to the approvers', async () => {
      await start();
      await h.submitRequest(alice, { ...request, expiry: '7d' });
      const longer = await h.latestRequest(alice);
      expect(longer).toMatchObject({ state: 'pending', approvalsRequired: 1 });
      await h.submitRequest(eve, { ...request, keyName: 'eve-read', expiry: '12h' });
      expect(await h.latestRequest(eve)).toMatchObject({ state: 'pending', approvalsRequired: 1 });
    });

    it('follows the rota: a member removed from the group is no longer approved at once', async () => {
      await start();
      h.slack.setUsergroup('S0ONCALL', [bob]);
      // The policy trusts a group's members for at most 60 s.
      clock.advance(61_000);
      await h.submitRequest(alice, { ...request, expiry: '12h' });
      expect(await h.latestRequest(alice)).toMatchObject({ state: 'pending' });
    });
  });

  describe('break glass', () => {
    const glass = {
      keyName: 'prod-admin',
      roleId: 'admin',
      expiry: '4h',
      reason: 'Incident 4711: no approver answers',
      breakGlass: true,
    };

    /** Breaks glass as `user` and waits for the review message; the request and that message. */
    async function breakGlass(user: string = alice) {
      const answer = await h.submitRequest(user, glass);
      expect(answer.status).toBe(200);
      // The dialog answers at once where the request went (issue #20 item 1).
      expect(answer.json).toMatchObject({ response_action: 'update' });
      const submitted = await h.latestRequest(user);
      expect(submitted).toMatchObject({ state: 'approved', approvalsRequired: 0 });
      const review = await h.until(
        () =>
          h.slack
            .messages(APPROVAL_CHANNEL)
            .find((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes(ACTION.breakGlassKeep)),
        'the review message',
      );
      await h.until(async () => {
        const [mark] = await h.store.listTimerMarks({ rules: [ACCESS_RULE.grant], subjects: [submitted.id] });
        return mark?.state === 'done';
      }, 'the review message to be recorded');
      return { submitted, review };
    }

    const reviewButtons = (m: FakeMessage | undefined) =>
      JSON.stringify(m?.blocks ?? []).includes(ACTION.breakGlassKeep);

    it('lets the requester approve their own request, tells both channels at once, and Keep closes the review', async () => {
      await start();
      const { submitted, review } = await breakGlass();
      expect(review.text).toContain(`<@${alice}>`);
      const security = await h.until(() => h.slack.messages(SECURITY)[0], 'the security notice');
      expect(security.text).toContain('prod-admin');
      const key = await claim(alice, submitted.id);
      expect(new Date(key.expireAt ?? 0).getTime() - T0.getTime()).toBe(4 * HOUR);
      // The secret went once to Alice's click, and nowhere else: not the channels told, not the logs.
      const reveal = await h.until(() =>
        h.slack.responseUrlPosts.find((p) => /curl --user/.test(JSON.stringify(p.body))),
      );
      const secret = /curl --user '[^':]+:([^']+)'/.exec(JSON.stringify(reveal.body))?.[1] ?? '';
      expect(secret.length).toBeGreaterThan(10);
      expect(h.traces(secret)).toMatchObject({ slackMessages: 1, logs: 0, database: 0 });

      // Unreviewed, the key is not rotated: a successor would escape a Revoke.
      await expect(h.keyhouse.workflow.rotationForm(alice, key.id)).rejects.toMatchObject({
        refusal: { code: 'break_glass_unreviewed' },
      });

      // The requester may not review their own break glass; someone else's eyes must.
      await h.click(alice, ACTION.breakGlassKeep, submitted.id, {
        channel: APPROVAL_CHANNEL,
        message: review,
      });
      await h.click(bob, ACTION.breakGlassKeep, submitted.id, { channel: APPROVAL_CHANNEL, message: review });
      const rewritten = await h.until(() => {
        const now = h.slack.messages(APPROVAL_CHANNEL).find((m) => m.ts === review.ts);
        return now && !reviewButtons(now) ? now : null;
      }, 'the review rewritten');
      expect(JSON.stringify(rewritten.blocks)).toContain(`<@${bob}>`);
      expect(h.clickhouse.keys().some((k) => k.id === key.id)).toBe(true);
      const audit = await h.store.listAudit({ requestId: submitted.id });
      expect(
        audit.filter((e) => e.action === 'break_glass.review').map((e) => [e.actorId, e.outcome]),
      ).toEqual(
        expect.arrayContaining([
          [alice, 'refused'],
          [bob, 'ok'],
        ]),
      );
      // Kept, it may be rotated like any key.
      await expect(h.keyhouse.workflow.rotationForm(alice, key.id)).resolves.toBeDefined();
      // A second review changes nothing.
      await h.click(carol, ACTION.breakGlassRevoke, submitted.id, {
        channel: APPROVAL_CHANNEL,
        message: review,
      });
      await h.quiet();
      expect(h.clickhouse.keys().some((k) => k.id === key.id)).toBe(true);
    });

    it('Revoke deletes the key, and the requester may break glass again only once reviewed', async () => {
      await start();
      const { submitted, review } = await breakGlass();
      const key = await claim(alice, submitted.id);

      // A second break glass while the first awaits review is refused in the modal.
      const again = await h.submitRequest(alice, { ...glass, keyName: 'prod-admin-2' });
      expect(JSON.stringify(again.json)).toMatch(/awaits an approver/);
      expect(await h.store.listRequests({ requesterId: alice })).toHaveLength(1);

      await h.click(bob, ACTION.breakGlassRevoke, submitted.id, {
        channel: APPROVAL_CHANNEL,
        message: review,
      });
      await h.until(() => !h.clickhouse.keys().some((k) => k.id === key.id), 'the key deleted');
      const reviewed = await h.until(
        async () =>
          (await h.store.listAudit({ requestId: submitted.id })).find(
            (e) => e.action === 'break_glass.review' && e.outcome === 'ok',
          ),
        'the review audited',
      );
      expect(reviewed).toMatchObject({
        actorId: bob,
        detail: { decision: 'revoke', keyDeleted: true },
      });

      // Once the review message says so, the review is over.
      await h.until(() => {
        const now = h.slack.messages(APPROVAL_CHANNEL).find((m) => m.ts === review.ts);
        return now && !reviewButtons(now);
      }, 'the review rewritten');
      const third = await h.submitRequest(alice, { ...glass, keyName: 'prod-admin-2' });
      expect(third.json).toMatchObject({ response_action: 'update' });
      const requests = await h.store.listRequests({ requesterId: alice });
      expect(requests.find((r) => r.keyName === 'prod-admin-2')).toMatchObject({ state: 'approved' });
    });

    it('Revoke before the key was made stops it from being made', async () => {
      await start();
      const { submitted, review } = await breakGlass();
      await h.click(carol, ACTION.breakGlassRevoke, submitted.id, {
        channel: APPROVAL_CHANNEL,
        message: review,
      });
      await h.untilState(submitted.id, 'expired');
      await h.createKey(alice, submitted.id);
      await h.quiet();
      expect(h.clickhouse.keys().some((k) => k.name === 'prod-admin')).toBe(false);
    });

    it('refuses break glass for a role without it, and an expiry beyond its maxExpiry', async () => {
      await start();
      const none = await h.submitRequest(alice, { ...glass, roleId: 'developer', expiry: '1d' });
      expect(JSON.stringify(none.json)).toContain('offers no break glass');
      const long = await h.submitRequest(alice, { ...glass, expiry: '7d' });
      expect(JSON.stringify(long.json)).toContain('at most 4h');
      expect(await h.store.listRequests({ requesterId: alice })).toEqual([]);
    });

    it('tells an on-call member in the modal, before submitting, that the request is approved at once', async () => {
      await start();
      // The modal as it stands once drawn (opened at once, or "checking…" and then updated).
      const modalOf = async (user: string) => {
        await h.command(user, '');
        return h.until(() => {
          const calls = [...h.slack.callsTo('views.open'), ...h.slack.callsTo('views.update')]
            .map((c) => JSON.stringify(c.args.view))
            .filter((v) => v.includes(`"block_id":"${BLOCK.keyName}"`));
          return calls.at(-1);
        }, `the request modal of ${user}`);
      };
      expect(await modalOf(alice)).toContain('<!subteam^S0ONCALL>');
      h.slack.calls.length = 0;
      expect(await modalOf(eve)).not.toContain('subteam^S0ONCALL');
    });

    describe('reminders and escalation while nobody reviews', () => {
      /** Replies under the review message, by kind: reminders mention approvers, escalations admins. */
      const nudges = (review: FakeMessage) =>
        h.slack
          .messages(APPROVAL_CHANNEL)
          .filter((m) => m.thread_ts === review.ts)
          .map((m) => (m.text?.includes('overdue') ? 'escalate' : 'remind'));

      /** The security channel's messages but the audit chain's daily head. */
      const security = () =>
        h.slack.messages(SECURITY).filter((m) => !JSON.stringify(m.blocks ?? []).includes(BLOCK.auditHead));

      /** Runs `tick` at each moment of the review's life and checks what was said by then. */
      async function timeline(review: FakeMessage, tick: (at: number) => Promise<void>) {
        const at = (ms: number) => T0.getTime() + ms;
        // approvalReminders.remindAfter (4 h) is sooner than half of reviewWithin (12 h).
        await tick(at(4 * HOUR - 1));
        expect(nudges(review)).toEqual([]);
        await tick(at(4 * HOUR));
        expect(nudges(review)).toEqual(['remind']);
        expect(h.slack.messages(APPROVAL_CHANNEL).find((m) => m.thread_ts === review.ts)?.text).toContain(
          `<@${bob}>`,
        );
        await tick(at(24 * HOUR - 1));
        expect(nudges(review)).toEqual(['remind']);
        expect(security()).toHaveLength(1); // the notice at the break glass, nothing more yet
        await tick(at(24 * HOUR));
        expect(nudges(review)).toEqual(['remind', 'escalate']);
        const overdue = security().at(-1);
        expect(overdue?.text).toMatch(/Overdue/);
        await tick(at(48 * HOUR));
        expect(nudges(review)).toEqual(['remind', 'escalate']);
        expect(security()).toHaveLength(2);
      }

      it('reminds the approvers, then escalates, each once, never early, across a restart before every tick', async () => {
        await start();
        const { submitted, review } = await breakGlass();
        await claim(alice, submitted.id);
        await timeline(review, async (at) => {
          await h.stopInstance(h.instances.at(-1) as Instance);
          const next = await h.startInstance();
          clock.set(at);
          await next.keyhouse.tick();
          await next.keyhouse.tick();
        });
      });

      it.skipIf(!pgUrl)('two replicas ticking together remind and escalate once (PostgreSQL)', async () => {
        await start({ postgres: pgUrl ?? '' });
        const { submitted, review } = await breakGlass();
        await claim(alice, submitted.id);
        const second = await h.startInstance();
        await timeline(review, async (at) => {
          clock.set(at);
          await Promise.all([h.instances[0]?.keyhouse.tick(), second.keyhouse.tick()]);
        });
      });

      it('says nothing once the break glass was reviewed', async () => {
        await start();
        const { submitted, review } = await breakGlass();
        await h.click(bob, ACTION.breakGlassKeep, submitted.id, {
          channel: APPROVAL_CHANNEL,
          message: review,
        });
        await h.until(
          async () => !(await h.keyhouse.workflow.context.gate.awaitsReview(submitted.id)),
          'kept',
        );
        clock.set(T0.getTime() + 48 * HOUR);
        await h.keyhouse.tick();
        expect(nudges(review)).toEqual([]);
      });
    });
  });
});
