/**
 * Issue 9, item 4: one user's burst of ClickHouse work must not starve another user's Create key.
 * Before the budget was shared fairly, 40 quick renames by one user delayed another's Create key by
 * 42 s (hundreds would have outlived the click's response_url, and the new key would be deleted).
 *
 * Issue 19, hole 6: nor may a burst of urgent work. Each pasted secret is an urgent write, and the
 * urgent lane was first come, first served and uncapped: 30 pasted secrets delayed another user's
 * Create key by three budget windows (21 of her writes went between his click and his create).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAs } from '../../src/api/index.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import { Harness, USERS } from '../support/keyhouse.js';

const { alice, bob } = USERS;
const GENERAL = 'C0GENERAL';

/** Bob's request for a key, approved: his Create key click is what must not wait. */
function bobsApprovedRequest(harness: Harness) {
  return harness.approvedRequest(
    bob,
    { keyName: 'bob-etl', roleId: 'developer', expiry: '30d', reason: 'Reads the events table nightly' },
    USERS.carol,
  );
}

/** `count` keys made in the console and recorded as Alice's, with their secrets. */
async function alicesKeys(harness: Harness, count: number) {
  const keys = Array.from({ length: count }, (_, i) => harness.clickhouse.addKey({ name: `alice-${i}` }));
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
  return keys;
}

describe('the ClickHouse budget is shared fairly', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("another user's Create key goes ahead of one user's 20 queued renames", async () => {
    // ClickHouse's 10 requests per 10 s, scaled to 10 per second.
    h = await Harness.start({ budget: { requests: 10, windowMs: 1_000 } });
    const harness = h;
    const request = await bobsApprovedRequest(harness);
    const keys = (await alicesKeys(harness, 20)).map(({ key }) => key);
    const before = harness.clickhouse.requests.length;
    // Alice renames all 20 as fast as she can; each rename reads the key, then PATCHes it.
    const renames = keys.map((key) =>
      runAs(alice, () =>
        harness.keyhouse.workflow.editKey(alice, key.id, {
          keyName: `${key.name}-renamed`,
          roleId: 'keep',
          expiry: 'keep',
          reason: '',
        }),
      ),
    );
    // Bob clicks Create key while her renames queue for the budget.
    // Once her calls fill the window, the rest of her burst is queued in Keyhouse's client.
    await harness.until(() => harness.clickhouse.requests.length - before >= 10, "alice's first window");
    const atClick = harness.clickhouse.requests.length - before;
    await harness.createKey(bob, request.id);
    await harness.untilState(request.id, 'delivered');

    const sent = harness.clickhouse.requests.slice(before);
    const create = sent.findIndex((r) => r.method === 'POST');
    expect(create).toBeGreaterThanOrEqual(atClick);
    // Bob's create goes ahead of her queued burst: at most one share of hers (half the window) can
    // slip in between his click and his create. First come, first served put all 13 left first.
    expect(create - atClick).toBeLessThanOrEqual(5);
    expect(sent.filter((r) => r.status === 429)).toEqual([]);
    // Her renames all still happen, in her half of the budget.
    await Promise.all(renames);
    expect(harness.clickhouse.keys().filter((k) => k.name.endsWith('-renamed'))).toHaveLength(20);
  }, 60_000);

  it("one user's 30 pasted secrets delay another user's Create key by at most one turn", async () => {
    // ClickHouse's 10 requests per 10 s, scaled: a window long enough that Alice's burst is still
    // queued when Bob clicks, short enough that all of it is written within the test.
    const budget = { requests: 10, windowMs: 1_500 };
    h = await Harness.start({ budget });
    const harness = h;
    const request = await bobsApprovedRequest(harness);
    // Thirty keys of Alice's, each pasted once: thirty distinct leaks, one write each, so no
    // "already disabled" shortcut would spare the budget.
    const keys = await alicesKeys(harness, 30);
    await Promise.all(
      keys.map(({ keySecret }) => {
        const { payload } = harness.slack.userSays({
          channel: GENERAL,
          user: alice,
          text: `try ${keySecret}`,
        });
        return harness.post({ kind: 'event', payload });
      }),
    );
    // Each write is audited as attempted just before it is sent: all thirty are queued or sent.
    await harness.until(
      async () =>
        (await harness.store.listAudit({})).filter(
          (e) => e.action === 'leak.disable' && e.outcome === 'attempt',
        ).length === keys.length,
      "Alice's thirty disables to be under way",
    );

    const atClick = harness.clickhouse.requests.length;
    await harness.createKey(bob, request.id);
    await harness.untilState(request.id, 'delivered');
    await harness.until(
      () => harness.clickhouse.keys().filter((k) => k.state === 'disabled').length === keys.length,
      "all of Alice's keys disabled",
    );

    const sent = harness.clickhouse.requests;
    const create = sent.findIndex((r) => r.method === 'POST');
    const patches = sent.flatMap((r, i) => (r.route === 'updateKey' ? [i] : []));
    expect(patches).toHaveLength(keys.length);
    expect(create).toBeGreaterThanOrEqual(atClick);
    // Bob's create does not wait for her burst: some of it is still to come when his create
    // reaches ClickHouse. First come, first served (and uncapped) put all thirty before it.
    expect(patches.filter((i) => i > create).length).toBeGreaterThan(0);
    // In the client's own count: no urgent send of anyone's waited through more than one send of
    // any other owner while it could have gone (her thirty took turns with his one).
    // (The organization's discovery rides on whichever urgent call needs it first.)
    expect(harness.client.stats.urgent.sent).toBeGreaterThanOrEqual(keys.length + 1);
    expect(harness.client.stats.urgent.mostAheadByOneOwner).toBeLessThanOrEqual(1);
    expect(sent.filter((r) => r.status === 429)).toEqual([]);
  }, 60_000);
});
