/**
 * Issue 23: a flood of leaks found outside Slack (here thirty scanners' reports, each naming a key of
 * Alice's, so each costs a write) must not delay another user's Create key. The reports' work runs
 * after their answers, a few at a time, on its own budget owner (`leak-report`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/core/fingerprint.js';
import { Harness, testPolicy, USERS } from '../support/keyhouse.js';

const { alice, bob } = USERS;
const TOKEN = 'leak-report-token-fairness-0123456789';

describe('a flood of leak reports', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("delays another user's Create key by at most one turn", async () => {
    h = await Harness.start({
      budget: { requests: 10, windowMs: 1_500 },
      policy: testPolicy({ security: { channel: 'C0SECURITY' } }),
      leaks: { reportToken: TOKEN },
    });
    const harness = h;
    const request = await harness.approvedRequest(
      bob,
      { keyName: 'bob-etl', roleId: 'developer', expiry: '30d', reason: 'Reads the events table nightly' },
      USERS.carol,
    );
    const keys = Array.from({ length: 30 }, (_, i) => harness.clickhouse.addKey({ name: `alice-${i}` }));
    for (const { key, keySecret } of keys) {
      await harness.store.putKeyOwner({
        keyId: key.id,
        ownerId: alice,
        requestId: null,
        keyName: key.name,
        keySuffix: key.keySuffix,
        createdAt: new Date(),
        roleId: 'developer',
        fingerprint: fingerprint(keySecret),
      });
    }
    const answers = await Promise.all(
      keys.map(({ keySecret }, i) =>
        fetch(`${harness.url}/leaks/report`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            fingerprints: [fingerprint(keySecret)],
            source: 'gitleaks',
            url: `https://ci.example.com/runs/${i}`,
          }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(keys.map(() => 202));
    await harness.until(
      async () =>
        (await harness.store.listAudit({})).some(
          (e) => e.action === 'leak.disable' && e.outcome === 'attempt',
        ),
      'the flood to be under way',
    );

    const atClick = harness.clickhouse.requests.length;
    await harness.createKey(bob, request.id);
    await harness.untilState(request.id, 'delivered');
    await harness.until(
      () => harness.clickhouse.keys().filter((k) => k.state === 'disabled').length === keys.length,
      "all of Alice's keys disabled",
      60_000,
    );

    const sent = harness.clickhouse.requests;
    const create = sent.findIndex((r) => r.method === 'POST');
    const patches = sent.flatMap((r, i) => (r.route === 'updateKey' ? [i] : []));
    expect(patches).toHaveLength(keys.length);
    expect(create).toBeGreaterThanOrEqual(atClick);
    // His create does not wait for the flood: most of it is still to come when it reaches ClickHouse.
    expect(patches.filter((i) => i > create).length).toBeGreaterThan(keys.length / 2);
    expect(harness.client.stats.urgent.mostAheadByOneOwner).toBeLessThanOrEqual(1);
    expect(sent.filter((r) => r.status === 429)).toEqual([]);
    // One notice per report, each after its key's write.
    await harness.until(
      () => harness.slack.messages('C0SECURITY').length === keys.length,
      'a notice per report',
    );
    await harness.quiet();
    expect(harness.slack.messages('C0SECURITY')).toHaveLength(keys.length);
  }, 90_000);
});
