/**
 * Issue 9, item 4: one user's burst of ClickHouse work must not starve another user's Create key.
 * Before the budget was shared fairly, 40 quick renames by one user delayed another's Create key by
 * 42 s (hundreds would have outlived the click's response_url, and the new key would be deleted).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAs } from '../../src/api/index.js';
import { Harness, USERS } from '../support/keyhouse.js';

const { alice, bob } = USERS;

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
    const request = await harness.approvedRequest(
      bob,
      { keyName: 'bob-etl', roleId: 'developer', expiry: '30d', reason: 'Reads the events table nightly' },
      USERS.carol,
    );
    const keys = Array.from({ length: 20 }, (_, i) => harness.clickhouse.addKey({ name: `alice-${i}` }).key);
    for (const key of keys) {
      await harness.store.putKeyOwner({
        keyId: key.id,
        ownerId: alice,
        requestId: null,
        keyName: key.name,
        keySuffix: key.keySuffix,
        createdAt: new Date(),
        roleId: 'developer',
      });
    }
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
});
