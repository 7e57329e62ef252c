/**
 * The audit chain's daily head (product.md §4): once a UTC day, never early, Keyhouse posts the
 * chain head to the security channel, through the real app and the fake Slack; at most once per
 * day across a restart before every tick, two replicas ticking together, and a replica that dies
 * while it posts. The head it posts is one `audit verify --head` proves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../../dev/fake-slack/index.js';
import { verifyAudit } from '../../src/audit/verify.js';
import { parseNotedHead } from '../../src/core/audit-chain.js';
import { RULE } from '../../src/timers/index.js';
import { BLOCK } from '../../src/views/ids.js';
import { ManualClock } from '../support/clock.js';
import { Harness, type Instance, testPolicy } from '../support/keyhouse.js';
import { pgUrl } from '../support/postgres.js';
import { World, worldBackends } from '../support/world.js';

const SECURITY = 'C0SECURITY';
const T0 = new Date('2026-06-01T08:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const backends = worldBackends();

/** The audit heads the security channel got: `day seq:hash` each. */
function heads(messages: readonly FakeMessage[]): Array<{ day: string; head: string }> {
  return messages
    .filter((m) => JSON.stringify(m.blocks ?? []).includes(BLOCK.auditHead))
    .map((m) => {
      const found = /for (\d{4}-\d{2}-\d{2}) \(UTC\): event \d+, (\d+:[0-9a-f]{64})\./.exec(m.text ?? '');
      if (!found) throw new Error(`not an audit head: ${m.text}`);
      return { day: found[1]!, head: found[2]! };
    });
}

describe('the audit chain head, daily to the security channel', () => {
  let h: Harness;
  let clock: ManualClock;

  afterEach(async () => {
    await h?.close();
  });

  async function start(options: { postgres?: string } = {}) {
    clock = new ManualClock(T0);
    h = await Harness.start({ clock, policy: testPolicy({ security: { channel: SECURITY } }), ...options });
  }

  const posted = () => heads(h.slack.messages(SECURITY));

  it('posts each UTC day’s head once and never early; the head posted is one verify --head proves', async () => {
    await start();
    await h.keyhouse.tick();
    await h.keyhouse.tick();
    clock.set(Date.parse('2026-06-01T23:59:59.999Z'));
    await h.keyhouse.tick();
    expect(posted().map((p) => p.day)).toEqual(['2026-06-01']);

    clock.set(Date.parse('2026-06-02T00:00:00.000Z'));
    await h.keyhouse.tick();
    clock.advance(MINUTE);
    await h.keyhouse.tick();
    expect(posted().map((p) => p.day)).toEqual(['2026-06-01', '2026-06-02']);

    // What was posted is the chain as it stood, and the chain says which head went out.
    const first = parseNotedHead(posted()[0]!.head)!;
    expect(await verifyAudit(h.store, first)).toMatchObject({ ok: true });
    const ok = (await h.store.listAudit()).filter(
      (e) => e.action === `timer.${RULE.auditHead}` && e.outcome === 'ok',
    );
    expect(ok.map((e) => [e.detail?.threshold, e.detail?.seq, e.detail?.hash])).toEqual(
      posted().map((p) => [p.day, ...p.head.split(':').map((v, i) => (i === 0 ? Number(v) : v))]),
    );
    expect(await verifyAudit(h.store, { ...first, hash: 'f'.repeat(64) })).toMatchObject({
      ok: false,
      seq: first.seq,
    });
  });

  it('a restart before every tick posts each day’s head once (SQLite)', async () => {
    await start();
    for (const at of [0, 1, 2 * 60 * MINUTE, DAY, DAY + MINUTE, 3 * DAY]) {
      await h.stopInstance(h.instances[0] as Instance);
      const next = await h.startInstance();
      clock.set(T0.getTime() + at);
      await next.keyhouse.tick();
      await next.keyhouse.tick();
    }
    expect(posted().map((p) => p.day)).toEqual(['2026-06-01', '2026-06-02', '2026-06-04']);
  });

  it.skipIf(!pgUrl)('two replicas ticking together post each day’s head once (PostgreSQL)', async () => {
    await start({ postgres: pgUrl ?? '' });
    const second = await h.startInstance();
    for (const at of [0, DAY, DAY + 3 * MINUTE, 2 * DAY + 6 * MINUTE]) {
      clock.set(T0.getTime() + at);
      await Promise.all([h.keyhouse.tick(), second.keyhouse.tick()]);
      // Past the timers lease: either replica may take the next tick.
      clock.advance(3 * MINUTE);
      await Promise.all([second.keyhouse.tick(), h.keyhouse.tick()]);
    }
    expect(posted().map((p) => p.day)).toEqual(['2026-06-01', '2026-06-02', '2026-06-03']);
    const attempts = (await h.store.listAudit()).filter(
      (e) => e.action === `timer.${RULE.auditHead}` && e.outcome === 'attempt',
    );
    expect(attempts).toHaveLength(3);
  });
});

describe.each(backends)('the audit chain head when a replica dies posting it on a $name', ({ postgres }) => {
  let world: World;
  afterEach(async () => {
    await world?.close();
  });

  it('is never posted again that day, and the next day’s comes', async () => {
    world = await World.start({ postgres, instances: 2 });
    world.clock.set(T0.getTime());
    // Instance 0 dies the moment its post has gone out, before it can record that it is done.
    const record = world.timed.push.bind(world.timed);
    world.timed.push = (...messages) => {
      const count = record(...messages);
      if (messages.some((m) => m.kind === 'audit-head' && m.instance === 0)) world.crash(0);
      return count;
    };
    void world.instance(0).scheduler.tick();
    await expect.poll(() => world.timed.filter((m) => m.kind === 'audit-head')).toHaveLength(1);

    // Past the dead replica's timers lease, both the restarted instance and the other tick.
    for (const step of [3, 6]) {
      world.clock.set(T0.getTime() + step * MINUTE);
      await world.instance(0).scheduler.tick();
      await world.instance(1).scheduler.tick();
    }
    expect(world.timed.filter((m) => m.kind === 'audit-head')).toHaveLength(1);
    const [mark] = await world.store.listTimerMarks({ rules: [RULE.auditHead] });
    expect(mark).toMatchObject({ threshold: '2026-06-01', state: 'claimed' });

    world.clock.set(Date.parse('2026-06-02T00:00:00.000Z'));
    await world.instance(1).scheduler.tick();
    await world.instance(0).scheduler.tick();
    expect(
      world.timed.filter((m) => m.kind === 'audit-head').map((m) => m.kind === 'audit-head' && m.notice.day),
    ).toEqual(['2026-06-01', '2026-06-02']);
  });
});
