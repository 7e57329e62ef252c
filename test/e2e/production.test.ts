import { afterEach, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/views/ids.js';
import { ManualClock } from '../support/clock.js';
import { APPROVAL_CHANNEL, Harness, USERS } from '../support/keyhouse.js';
import { pgUrl } from '../support/postgres.js';

const { alice, bob, carol, dave } = USERS;
const valid = {
  keyName: 'etl-reader',
  roleId: 'developer',
  expiry: '7d',
  reason: 'Reads the events table nightly',
};
const credentials = (x: unknown) => /curl --user '([^':]+):([^']+)'/.exec(JSON.stringify(x));

describe('health and readiness', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('/healthz answers; /readyz checks the database, ClickHouse and Slack, caching the upstream checks', async () => {
    h = await Harness.start();
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const probes = await Promise.all(Array.from({ length: 5 }, () => fetch(`${h.url}/readyz`)));
    expect(probes.map((p) => p.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await probes[0]?.json()).toMatchObject({
      ok: true,
      checks: { database: 'ok', clickhouse: 'ok', slack: 'ok' },
    });
    expect(h.clickhouse.requests.filter((r) => r.route === 'listOrganizations')).toHaveLength(1);
    expect(h.slack.callsTo('auth.test')).toHaveLength(1);
  });

  it('/readyz is 503 and says which check fails, with the details in the log only (issue 9, item 8)', async () => {
    h = await Harness.start();
    h.clickhouse.failNext('listOrganizations', 1, 403);
    const probe = await fetch(`${h.url}/readyz`);
    expect(probe.status).toBe(503);
    const text = await probe.text();
    expect(JSON.parse(text)).toEqual({
      ok: false,
      stopping: false,
      checks: { database: 'ok', clickhouse: 'failing', slack: 'ok' },
    });
    // The unauthenticated caller learns nothing of ClickHouse's answer; the operator's log has it.
    expect(text).not.toMatch(/403|forbidden|injected/i);
    expect(h.logs).toMatch(/readiness check failing/);
  });
});

describe('graceful shutdown', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('finishes a Create key in flight at shutdown, then refuses new work', async () => {
    h = await Harness.start();
    const request = await h.approvedRequest(alice, valid);
    h.clickhouse.setLatency(700);

    const instance = h.instances[0]!;
    const click = await h.createKey(alice, request.id);
    expect(click.response.status).toBe(200);
    await h.until(async () => (await h.store.getRequest(request.id))?.state === 'creating', 'creating');
    const stopping = h.keyhouse.close();
    // Arriving while shutting down: refused, so Slack's retry or another replica takes it.
    const late = await fetch(`${instance.url}/slack/events`, { method: 'POST' }).then(
      (r) => r.status,
      () => 'connection refused',
    );
    expect([503, 'connection refused']).toContain(late);
    expect(await stopping).toEqual({ drained: true });
    expect((await h.store.getRequest(request.id))?.state).toBe('delivered');
    expect(h.slack.responseUrlPosts.filter((p) => p.status === 200 && credentials(p.body))).toHaveLength(1);
  });
});

describe.skipIf(!pgUrl)('replicas on one PostgreSQL', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('Approve and Create key clicks spread over two replicas make one approval, one key, one delivery', async () => {
    h = await Harness.start({ postgres: pgUrl ?? '' });
    const second = await h.startInstance();
    const [first] = h.instances;
    await h.submitRequest(alice, valid);
    const request = await h.latestRequest(alice);
    await h.approvalMessage(request.id);

    const approvers = [bob, carol, dave];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.approve(approvers[i % 3] ?? bob, request.id, i % 2 ? second : first),
      ),
    );
    await h.untilState(request.id, 'approved');
    await h.claimMessage(alice, request.id);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.createKey(alice, request.id, i % 2 ? second : first)),
    );
    await h.untilState(request.id, 'delivered');
    await h.quiet();

    expect((await h.store.listDecisions(request.id)).filter((d) => d.decision === 'approve')).toHaveLength(1);
    expect(h.slack.messages(alice).filter((m) => JSON.stringify(m).includes(ACTION.createKey))).toHaveLength(
      1,
    );
    expect(h.clickhouse.keys().filter((k) => k.name === valid.keyName)).toHaveLength(1);
    const shown = h.slack.responseUrlPosts.filter((p) => p.status === 200 && credentials(p.body));
    expect(shown).toHaveLength(1);
    const secret = credentials(shown[0]?.body)?.[2] ?? '';
    expect(h.traces(secret)).toMatchObject({ slackMessages: 1, logs: 0, clickhouseLog: 0 });
  });

  it('timers act once across replicas: concurrent sweeps expire a request once', async () => {
    const clock = new ManualClock(new Date());
    h = await Harness.start({ postgres: pgUrl ?? '', clock });
    const second = await h.startInstance();
    await h.submitRequest(alice, valid);
    const request = await h.latestRequest(alice);
    await h.approvalMessage(request.id);
    clock.advance(25 * 3_600_000);
    await Promise.all([
      h.keyhouse.sweep(),
      second.keyhouse.sweep(),
      h.keyhouse.sweep(),
      second.keyhouse.sweep(),
    ]);
    await h.untilState(request.id, 'expired');
    // The notices are signals to wait for (whichever replica expired it sends them); then a quiet
    // spell, in which a second expiry's notices would have shown.
    await h.slack.waitFor(() => h.slack.messages(APPROVAL_CHANNEL).some((m) => m.thread_ts));
    await h.slack.waitFor(() => h.slack.messages(alice).some((m) => /expired/i.test(JSON.stringify(m))));
    await h.quiet();
    expect(h.slack.messages(alice).filter((m) => /expired/i.test(JSON.stringify(m)))).toHaveLength(1);
    const replies = h.slack.messages(APPROVAL_CHANNEL).filter((m) => m.thread_ts);
    expect(replies).toHaveLength(1);
    expect(
      (await h.store.listAudit({ requestId: request.id })).filter((e) => e.action === 'request.expired'),
    ).toHaveLength(1);
  });

  it("a replica never settles another replica's attempt while it is alive, and does once it is gone", async () => {
    // The first instance holds the sweep lease (it swept at start), so its sweeps run.
    h = await Harness.start({ postgres: pgUrl ?? '' });
    const other = h.instances[0]!;
    const holder = await h.startInstance();
    const request = await h.approvedRequest(alice, valid);

    h.clickhouse.setLatency(1_500);
    await h.createKey(alice, request.id, holder);
    await h.until(async () => (await h.store.getRequest(request.id))?.state === 'creating', 'creating');
    await other.keyhouse.sweep();
    expect((await h.store.getRequest(request.id))?.state).toBe('creating');
    expect(await h.store.listAudit({ requestId: request.id })).not.toContainEqual(
      expect.objectContaining({ action: 'request.released' }),
    );
    await h.untilState(request.id, 'delivered');
    expect(h.clickhouse.keys().filter((k) => k.name === valid.keyName)).toHaveLength(1);

    // A replica that died mid-attempt renews nothing: its request is settled by the other one.
    h.clickhouse.setLatency(0);
    const orphaned = await h.approvedRequest(alice, { ...valid, keyName: 'orphaned-key' });
    const at = new Date();
    await h.store.transition({
      id: orphaned.id,
      from: 'approved',
      to: 'creating',
      at,
      set: { attemptId: 'attempt-of-a-dead-replica', attemptStartedAt: at },
    });
    h.clickhouse.addKey({ name: 'orphaned-key', roles: ['developer'] });
    await other.keyhouse.sweep();
    await h.untilState(orphaned.id, 'approved');
    expect(h.clickhouse.keys().filter((k) => k.name === 'orphaned-key')).toHaveLength(0);
    await h.slack.waitFor(() => h.slack.messages(alice).find((m) => /restarted/i.test(JSON.stringify(m))));
  });
});
