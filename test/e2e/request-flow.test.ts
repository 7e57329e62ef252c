import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION, BLOCK, CALLBACK } from '../../src/views/ids.js';
import { APPROVAL_CHANNEL, Harness, USERS } from '../support/keyhouse.js';

const { alice, bob, carol, dave, eve } = USERS;

const valid = {
  keyName: 'analytics-etl',
  roleId: 'developer',
  expiry: '30d',
  reason: 'Nightly ETL job needs read access',
};

/** The secret as the ephemeral answer shows it, read from its `curl --user 'id:secret'` line. */
function revealedCredentials(body: unknown): { keyId: string; secret: string } {
  const match = /curl --user '([^':]+):([^']+)'/.exec(JSON.stringify(body));
  if (!match?.[1] || !match[2]) throw new Error('no curl example with credentials in the answer');
  return { keyId: match[1], secret: match[2] };
}

function buttons(message: { blocks?: unknown[] }): string[] {
  const ids: string[] = [];
  for (const block of (message.blocks as { type: string; elements?: { action_id?: string }[] }[]) ?? []) {
    for (const element of block.elements ?? []) if (element.action_id) ids.push(element.action_id);
  }
  return ids;
}

describe('request → approval → show-once secret', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(async () => {
    expect(h.apiContractViolations()).toEqual([]);
    await h.close();
  });

  /** Submits a valid request as alice and returns it once the approval message is up. */
  async function submitted(values: Partial<typeof valid> = {}, user: string = alice) {
    const answer = await h.submitRequest(user, { ...valid, ...values });
    expect(answer.status).toBe(200);
    // The modal answers at once with where the request went (issue #20 item 1).
    expect(answer.json).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    const request = await h.latestRequest(user);
    const message = await h.approvalMessage(request.id);
    return { request, message };
  }

  it('answers a submission at once in the modal: sent to the approval channel, and what comes next', async () => {
    const answer = await h.submitRequest(alice, valid);
    const ack = answer.json as {
      response_action: string;
      view: { blocks: unknown[]; close: { text: string } };
    };
    expect(ack.response_action).toBe('update');
    const said = JSON.stringify(ack.view.blocks);
    expect(said).toContain(`<#${APPROVAL_CHANNEL}>`);
    expect(said).toContain('was sent to');
    expect(said).toContain('direct message');
    expect(said).toContain('*Create key*');
    expect(ack.view.close.text).toBe('Done');
    // The approval message follows the acknowledgement.
    const request = await h.latestRequest(alice);
    await h.approvalMessage(request.id);
  });

  it('opens the modal at once, with only the roles the user may request', async () => {
    const { response } = await h.command(alice, '');
    expect(response.status).toBe(200);
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
    const view = open.args.view as { callback_id: string; blocks: { block_id: string }[] };
    expect(view.callback_id).toBe(CALLBACK.requestModal);
    expect(view.blocks.map((b) => b.block_id)).toContain(BLOCK.keyName);
    // No ClickHouse call is needed to open the modal.
    expect(h.clickhouse.requests).toHaveLength(0);
  });

  it('runs the happy path: one approval, Create key, the secret shown exactly once', async () => {
    const { request, message } = await submitted();
    expect(request.state).toBe('pending');
    expect(buttons(message)).toEqual([ACTION.approve, ACTION.deny]);
    expect(h.clickhouse.keys()).toHaveLength(1); // only the bot's own admin key

    expect((await h.approve(bob, request.id)).response.status).toBe(200);
    const claim = await h.claimMessage(alice, request.id);
    expect(buttons(claim)).toEqual([ACTION.createKey]);
    expect((await h.store.getRequest(request.id))?.state).toBe('approved');
    // Approval alone makes no key: it is made only when the requester is there to see it.
    expect(h.clickhouse.keys()).toHaveLength(1);

    const { response, responseUrl } = await h.createKey(alice, request.id);
    expect(response.status).toBe(200);
    const reveal = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.body.blocks));
    expect(reveal.id).toBe(responseUrl.split('/').at(-1));
    expect(reveal.body.response_type).toBe('ephemeral');
    const { keyId, secret } = revealedCredentials(reveal.body);

    const made = h.clickhouse.keys().find((k) => k.name === valid.keyName);
    expect(made?.keySuffix).toBe(keyId.slice(-4));
    expect(made?.roles).toEqual(['developer']);
    expect(made?.ipAccessList).toEqual([{ source: '0.0.0.0/0', description: 'anywhere' }]);
    const lifetime = new Date(made?.expireAt ?? 0).getTime() - new Date(made?.createdAt ?? 0).getTime();
    // Counted from the creation, a moment before this check (a busy machine may make it a long moment).
    expect(Math.abs(lifetime - 30 * 86_400_000)).toBeLessThan(60_000);

    // The revealed credentials are the real ones: they authenticate against ClickHouse.
    const probe = await fetch(`${h.clickhouse.url}/v1/organizations`, {
      headers: { authorization: `Basic ${Buffer.from(`${keyId}:${secret}`).toString('base64')}` },
    });
    expect(probe.status).toBe(200);

    await h.untilState(request.id, 'delivered');
    expect((await h.store.getKeyOwner(made?.id ?? ''))?.ownerId).toBe(alice);
    const rewritten = await h.slack.waitFor(() => {
      const m = h.slack.messages(APPROVAL_CHANNEL).find((x) => x.ts === message.ts);
      return m && buttons(m).length === 0 && /created/i.test(JSON.stringify(m)) ? m : null;
    });
    expect(rewritten).toBeTruthy();
    await h.slack.waitFor(() => {
      const dm = h.slack.messages(alice).find((m) => m.ts === claim.ts);
      return dm && buttons(dm).length === 0;
    });

    expect(h.traces(secret)).toEqual({
      slackMessages: 1,
      slackAttempts: ['response_url:ok'],
      logs: 0,
      database: 0,
      clickhouseLog: 0,
    });
    const audit = (await h.store.listAudit({ requestId: request.id })).map((e) => `${e.action}:${e.outcome}`);
    expect(audit).toEqual(
      expect.arrayContaining([
        'request.submitted:ok',
        'request.approved:ok',
        'key.create:attempt',
        'key.created:ok',
        'key.delivered:ok',
      ]),
    );
    expect(audit.indexOf('key.create:attempt')).toBeLessThan(audit.indexOf('key.created:ok'));
  });

  it('deny asks for a reason, tells the requester, and removes the buttons', async () => {
    const { request, message } = await submitted();
    const { response } = await h.click(bob, ACTION.deny, request.id, { channel: APPROVAL_CHANNEL, message });
    expect(response.status).toBe(200);
    const dialog = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
    expect((dialog.args.view as { callback_id: string }).callback_id).toBe(CALLBACK.denyModal);

    const { viewSubmission } = await import('../support/slack-payloads.js');
    const answer = await h.post({
      kind: 'interaction',
      payload: viewSubmission({
        user: bob,
        callbackId: CALLBACK.denyModal,
        privateMetadata: request.id,
        values: { [BLOCK.denyReason]: { [ACTION.denyReasonInput]: 'Use the shared ETL key instead' } },
      }),
    });
    expect(answer.status).toBe(200);
    await h.untilState(request.id, 'denied');
    const told = await h.slack.waitFor(() =>
      h.slack.messages(alice).find((m) => JSON.stringify(m).includes('Use the shared ETL key instead')),
    );
    expect(JSON.stringify(told)).toContain(bob);
    await h.slack.waitFor(() => {
      const m = h.slack.messages(APPROVAL_CHANNEL).find((x) => x.ts === message.ts);
      return m && buttons(m).length === 0 && /denied/i.test(JSON.stringify(m));
    });
    expect(h.slack.messages(APPROVAL_CHANNEL).some((m) => m.thread_ts === message.ts)).toBe(true);
  });

  it('a two-approval role needs two distinct approvers; the same approver twice counts once', async () => {
    const { request } = await submitted({ roleId: 'admin', expiry: '7d' });
    await h.approve(bob, request.id);
    await h.until(async () => (await h.store.listDecisions(request.id)).length === 1);
    await h.approve(bob, request.id);
    const again = await h.slack.waitFor(() =>
      h.slack.ephemerals().find((e) => /already approved/i.test(JSON.stringify(e.body))),
    );
    expect(again.user).toBe(bob);
    expect((await h.store.getRequest(request.id))?.state).toBe('pending');
    await h.approve(carol, request.id);
    await h.untilState(request.id, 'approved');
    await h.claimMessage(alice, request.id);
  });

  it('an approvals: 0 role is approved at submission, posts a notice, and DMs the Create key button', async () => {
    const { request, message } = await submitted({ roleId: 'query-endpoints', expiry: '365d' });
    expect(request.state).toBe('approved');
    expect(buttons(message)).toEqual([]);
    const dm = await h.claimMessage(alice, request.id);
    expect(buttons(dm)).toEqual([ACTION.createKey]);
    expect(JSON.stringify(dm)).toMatch(/policy/i);
  });

  it("refuses a non-approver's click and self-approval, changing nothing", async () => {
    const { request } = await submitted({}, bob);
    await h.approve(eve, request.id);
    await h.approve(bob, request.id);
    await h.slack.waitFor(() => h.slack.ephemerals().length >= 2);
    const texts = h.slack.ephemerals().map((e) => `${e.user}:${JSON.stringify(e.body)}`);
    expect(texts.some((t) => t.startsWith(`${eve}:`) && /only approvers/i.test(t))).toBe(true);
    expect(texts.some((t) => t.startsWith(`${bob}:`) && /your own request/i.test(t))).toBe(true);
    expect(await h.store.listDecisions(request.id)).toEqual([]);
    expect((await h.store.getRequest(request.id))?.state).toBe('pending');
  });

  it('20 concurrent Approve clicks make one approval and one Create key DM', async () => {
    const { request } = await submitted();
    const approvers = [bob, carol, dave];
    await Promise.all(Array.from({ length: 20 }, (_, i) => h.approve(approvers[i % 3] ?? bob, request.id)));
    await h.untilState(request.id, 'approved');
    await h.claimMessage(alice, request.id);
    // Give stragglers time to (wrongly) send a second DM.
    await new Promise((r) => setTimeout(r, 200));
    expect(h.slack.messages(alice).filter((m) => JSON.stringify(m).includes(ACTION.createKey))).toHaveLength(
      1,
    );
    expect((await h.store.listDecisions(request.id)).filter((d) => d.decision === 'approve')).toHaveLength(1);
  });
});
