import { afterEach, describe, expect, it } from 'vitest';
import { Harness, USERS } from '../support/keyhouse.js';

const { alice, bob, admin, eve } = USERS;

describe('/chkey audit', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  /** `/chkey <text>` as `user`, and the ephemeral answer posted to its response URL. */
  async function audit(user: string, text: string): Promise<Record<string, unknown>> {
    const { response, responseUrl } = await h.command(user, text);
    expect(response.status).toBe(200);
    const post = await h.slack.waitFor(
      () => h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)),
      {
        message: `answer to ${text}`,
      },
    );
    return post.body;
  }

  it('shows admins the latest events as sentences, by key, by suffix and by user; refuses others', async () => {
    h = await Harness.start();
    const request = await h.approvedRequest(alice, {
      keyName: 'dev-etl',
      roleId: 'developer',
      expiry: '30d',
      reason: 'nightly loads into the warehouse',
    });
    await h.createKey(alice, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    await h.submitRequest(eve, {
      keyName: 'eve-key',
      roleId: 'developer',
      expiry: '30d',
      reason: 'something else entirely',
    });
    await h.latestRequest(eve);
    await h.quiet();

    const all = await audit(admin, 'audit');
    expect(all.response_type).toBe('ephemeral');
    const allText = JSON.stringify(all.blocks);
    expect(allText).toMatch(/<@U0BOB> approved \*dev-etl\* \(developer, 30 days\) for <@U0ALICE>/);
    expect(allText).toContain('eve-key');
    expect((all.blocks as unknown[]).length).toBeLessThanOrEqual(21);

    const byKey = JSON.stringify((await audit(admin, 'audit dev-etl')).blocks);
    expect(byKey).toContain('approved *dev-etl*');
    expect(byKey).toContain('created *dev-etl*');
    expect(byKey).not.toContain('eve-key');

    const bySuffix = JSON.stringify((await audit(admin, `audit …${delivered.keySuffix}`)).blocks);
    expect(bySuffix).toContain(`…${delivered.keySuffix}`);
    expect(bySuffix).not.toContain('eve-key');

    const byUser = JSON.stringify((await audit(admin, `audit <@${eve}|eve>`)).blocks);
    expect(byUser).toContain('eve-key');
    expect(byUser).not.toContain('dev-etl');
    const byApprover = JSON.stringify((await audit(admin, `audit <@${bob}|bob>`)).blocks);
    expect(byApprover).toContain('approved *dev-etl*');
    expect(byApprover).not.toContain('requested');

    const refused = await audit(eve, 'audit');
    expect(refused).toMatchObject({ response_type: 'ephemeral' });
    expect(String(refused.text)).toMatch(/Only Keyhouse admins/);
    expect(refused.blocks).toBeUndefined();
  });

  it('logs every stored audit event as one line with an audit field, and keeps one valid chain', async () => {
    h = await Harness.start();
    const request = await h.approvedRequest(alice, {
      keyName: 'chained',
      roleId: 'developer',
      expiry: '30d',
      reason: 'nightly loads into the warehouse',
    });
    await h.createKey(alice, request.id);
    await h.untilState(request.id, 'delivered');
    await h.quiet();
    const events = await h.store.listAudit();
    expect(events.length).toBeGreaterThan(4);
    const logged = h.logs
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { audit?: { seq: number; hash: string } })
      .flatMap((line) => (line.audit ? [line.audit] : []));
    expect(logged.map((a) => [a.seq, a.hash])).toEqual(events.map((e) => [e.seq, e.hash]));
    const { verifyAudit } = await import('../../src/audit/verify.js');
    expect(await verifyAudit(h.store)).toMatchObject({ ok: true, events: events.length });
  });
});
