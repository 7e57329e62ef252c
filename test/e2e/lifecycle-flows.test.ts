/**
 * The interactive lifecycle flows (product.md §8) end to end through the real Bolt app: Rotate
 * (with and without approval, the old key retired at the end of the overlap and deleted seven days
 * later, across a restart and across two PostgreSQL replicas), Extend, Reassign, /chkey review,
 * the per-user limits, and a role's own approval channel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRequest } from '../../src/core/model.js';
import { ACTION, BLOCK, CALLBACK, keyBlockId } from '../../src/views/ids.js';
import { ManualClock } from '../support/clock.js';
import { APPROVAL_CHANNEL, Harness, type HarnessOptions, testPolicy, USERS } from '../support/keyhouse.js';
import { blockAction, stateValue, viewSubmission } from '../support/slack-payloads.js';

const { alice, bob, carol, admin, eve } = USERS;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PG = process.env.TEST_DATABASE_URL;

const credentialsIn = (body: unknown) => {
  const match = /curl --user '([^':]+):([^']+)'/.exec(JSON.stringify(body));
  return match?.[1] && match[2] ? { keyId: match[1], secret: match[2] } : null;
};

describe('lifecycle flows', () => {
  let h: Harness;
  afterEach(async () => {
    expect(h.apiContractViolations()).toEqual([]);
    await h?.close();
  });

  async function start(options: HarnessOptions & { postgres?: string } = {}) {
    h = await Harness.start(options);
    return h;
  }

  /** A key made through Keyhouse for `owner`, as the workflow records it. */
  async function ownedKey(
    owner: string,
    name: string,
    options: { expiresInMs?: number; roles?: string[]; now?: Date; anywhere?: boolean } = {},
  ) {
    const now = options.now ?? new Date();
    const expireAt = new Date(now.getTime() + (options.expiresInMs ?? 30 * DAY)).toISOString();
    const { key, keyId, keySecret } = h.clickhouse.addKey({
      name,
      roles: options.roles ?? ['developer'],
      expireAt,
      ipAccessList: [
        options.anywhere
          ? { source: '0.0.0.0/0', description: 'anywhere' }
          : { source: '203.0.113.0/24', description: 'office' },
      ],
    });
    await h.store.putKeyOwner({
      keyId: key.id,
      ownerId: owner,
      requestId: null,
      keyName: name,
      keySuffix: key.keySuffix,
      createdAt: now,
      // The policy role it was approved under, as Keyhouse records it.
      roleId: (options.roles ?? ['developer'])[0] === 'query_endpoints' ? 'query-endpoints' : 'developer',
    });
    return Object.assign(key, { credentials: `${keyId}:${keySecret}` });
  }

  /** `/chkey <text>`'s answer, in the ack or through the response URL. */
  async function ask(user: string, text: string) {
    const { response, responseUrl } = await h.command(user, text);
    const acked = response.json as Record<string, unknown> | null;
    if (acked?.blocks !== undefined) return { responseUrl, body: acked, text: JSON.stringify(acked) };
    const post = await h.slack.waitFor(
      () => h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)),
      {
        message: `answer to ${text}`,
      },
    );
    return { responseUrl, body: post.body, text: JSON.stringify(post.body) };
  }

  function menu(user: string, verb: string, keyId: string, responseUrl: string, scope = 'mine', page = 0) {
    return h.post({
      kind: 'interaction',
      payload: blockAction({
        user,
        actionId: ACTION.keyMenu,
        actionType: 'overflow',
        blockId: keyBlockId(scope, page, keyId),
        selectedOption: { value: `${verb}:${keyId}` },
        responseUrl,
        triggerId: h.slack.newTriggerId(user),
        channel: 'C0GENERAL',
      }),
    });
  }

  /** The newest dialog with this callback id the app opened, once it is open. */
  async function dialog(callbackId: string, after = 0) {
    const view = await h.slack.waitFor(
      () => h.slack.views().filter((v) => v.view.callback_id === callbackId)[after],
      { message: `${callbackId} dialog` },
    );
    return { id: view.id, metadata: String(view.view.private_metadata), view: view.view };
  }

  function submit(
    user: string,
    callbackId: string,
    opened: { id: string; metadata: string },
    values: object,
  ) {
    return h.post({
      kind: 'interaction',
      payload: viewSubmission({
        user,
        callbackId,
        viewId: opened.id,
        privateMetadata: opened.metadata,
        values: values as never,
      }),
    });
  }

  /** What the dialog says once the work after its acknowledgement is done. */
  function outcome(viewId: string) {
    return h.slack.waitFor(
      () =>
        h.slack
          .callsTo('views.update')
          // The form itself (opened on "looking the key up…") is not an outcome.
          .filter((c) => c.args.view_id === viewId && !(c.args.view as { callback_id?: string }).callback_id)
          .map((c) => JSON.stringify(c.args.view))
          .find((v) => !v.includes('hourglass')),
      { message: `outcome in dialog ${viewId}` },
    );
  }

  const rotateValues = (overlapMs: number, expiry: string, reason?: string) => ({
    [BLOCK.rotateOverlap]: { [ACTION.rotateOverlap]: stateValue.staticSelect(String(overlapMs)) },
    [BLOCK.rotateExpiry]: { [ACTION.rotateExpiry]: stateValue.staticSelect(expiry) },
    ...(reason === undefined ? {} : { [BLOCK.rotateReason]: { [ACTION.rotateReason]: reason } }),
  });

  const rotationOf = async (keyId: string) =>
    h.until(
      async () => (await h.store.listRequests({})).find((r) => r.rotation?.keyId === keyId),
      'rotation request',
    );

  const patchesOf = (keyId: string) =>
    h.clickhouse.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(keyId));
  const deletesOf = (keyId: string) =>
    h.clickhouse.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(keyId));
  const keyInClickHouse = (keyId: string) => h.clickhouse.keys().find((k) => k.id === keyId);
  const dmsTo = (user: string, pattern: RegExp) =>
    h.slack.messages(user).filter((m) => pattern.test(JSON.stringify(m)));

  /** Claims a rotation's successor and returns it, after checking its secret was shown once only. */
  async function claimSuccessor(user: string, request: KeyRequest) {
    await h.claimMessage(user, request.id);
    const click = await h.createKey(user, request.id);
    const delivered = await h.untilState(request.id, 'delivered');
    // The old key starts retiring right after the delivery is recorded.
    const replaced = request.rotation?.keyId ?? '';
    await h.until(() => h.store.getRetirement(replaced), 'the old key to start retiring');
    const shown = h.slack.responseUrlPosts.filter(
      (p) => click.responseUrl.endsWith(p.id) && credentialsIn(p.body),
    );
    expect(shown).toHaveLength(1);
    const secret = credentialsIn(shown[0]?.body)?.secret ?? '';
    expect(h.traces(secret)).toEqual({
      slackMessages: 1,
      slackAttempts: ['response_url:ok'],
      logs: 0,
      database: 0,
      clickhouseLog: 0,
    });
    return delivered;
  }

  it('the owner rotates without approval: a successor with the same name, role and IP list; the old key retires at the end of the overlap, once, and is deleted 7 days later', async () => {
    const clock = new ManualClock(new Date());
    await start({ clock });
    const old = await ownedKey(alice, 'alice-etl', { now: clock.now() });
    const { responseUrl } = await ask(alice, 'list');
    const menuBefore = JSON.stringify(await ask(alice, 'list'));
    expect(menuBefore).toContain(`rotate:${old.id}`);

    await menu(alice, 'rotate', old.id, responseUrl);
    const opened = await dialog(CALLBACK.rotateModal);
    expect(JSON.stringify(opened.view)).toContain('without approval');
    // An overlap not on offer is answered inside the dialog, and nothing is stored.
    const refused = await submit(alice, CALLBACK.rotateModal, opened, rotateValues(5 * HOUR, '30d'));
    expect(Object.keys((refused.json as { errors: object }).errors)).toEqual([BLOCK.rotateOverlap]);
    expect(await h.store.listRequests({})).toEqual([]);

    const answer = await submit(alice, CALLBACK.rotateModal, opened, rotateValues(HOUR, '30d'));
    expect((answer.json as { response_action: string }).response_action).toBe('update');
    const request = await rotationOf(old.id);
    expect(request).toMatchObject({ state: 'approved', approvalsRequired: 0, keyName: 'alice-etl' });
    expect(await outcome(opened.id)).toMatch(/Create key/);

    const delivered = await claimSuccessor(alice, request);
    const successor = keyInClickHouse(delivered.keyId ?? '');
    expect(successor).toMatchObject({
      name: 'alice-etl',
      roles: ['developer'],
      ipAccessList: [{ source: '203.0.113.0/24', description: 'office' }],
    });
    const deliveredAt = clock.now();
    expect(await h.store.getRetirement(old.id)).toMatchObject({
      stage: 'retiring',
      successorKeyId: successor?.id,
      retireAt: new Date(deliveredAt.getTime() + HOUR),
    });
    await h.slack.waitFor(() => dmsTo(alice, /keeps working until/).length === 1);
    const listed = await ask(alice, 'list');
    expect(listed.text).toMatch(/retiring/);
    expect(listed.text).toContain(`…${successor?.keySuffix}`);

    // Never early: one second before the end of the overlap nothing happens.
    clock.advance(HOUR - 1_000);
    await h.keyhouse.tick();
    expect(keyInClickHouse(old.id)?.state).toBe('enabled');
    expect(patchesOf(old.id)).toEqual([]);

    clock.advance(2_000);
    await h.keyhouse.tick();
    await h.keyhouse.tick();
    expect(keyInClickHouse(old.id)?.state).toBe('disabled');
    expect(patchesOf(old.id)).toHaveLength(1);
    await h.slack.waitFor(() => dmsTo(alice, /overlap of/).length === 1);
    expect(keyInClickHouse(successor?.id ?? '')?.state).toBe('enabled');

    clock.advance(7 * DAY - 2 * 60_000);
    await h.keyhouse.tick();
    expect(keyInClickHouse(old.id)).toBeDefined();
    clock.advance(2 * 60_000);
    await h.keyhouse.tick();
    await h.keyhouse.tick();
    expect(keyInClickHouse(old.id)).toBeUndefined();
    expect(deletesOf(old.id)).toHaveLength(1);
    expect(await h.store.getKeyOwner(old.id)).toBeNull();
    expect(dmsTo(alice, /overlap of/)).toHaveLength(1);
    const audit = (await h.store.listAudit({ keyId: old.id })).map((e) => `${e.action}:${e.outcome}`);
    expect(audit).toEqual([
      'request.submitted:ok',
      'key.retiring:ok',
      'timer.rotation.retire:attempt',
      'key.disable:attempt',
      'key.disable:ok',
      'timer.rotation.retire:ok',
      'timer.rotation.retire:attempt',
      'key.delete:attempt',
      'key.delete:ok',
      'timer.rotation.retire:ok',
    ]);
  });

  it('an admin rotating another’s key is approved like a new key; a missing reason is answered in the dialog', async () => {
    await start();
    const old = await ownedKey(alice, 'alice-etl');
    const { responseUrl } = await ask(admin, 'list all');
    await menu(admin, 'rotate', old.id, responseUrl, 'all');
    const opened = await dialog(CALLBACK.rotateModal);
    const noReason = await submit(admin, CALLBACK.rotateModal, opened, rotateValues(DAY, '30d', ''));
    expect(Object.keys((noReason.json as { errors: object }).errors)).toEqual([BLOCK.rotateReason]);
    expect(await h.store.listRequests({})).toEqual([]);

    await submit(
      admin,
      CALLBACK.rotateModal,
      opened,
      rotateValues(DAY, '30d', 'Rotating after a laptop was lost'),
    );
    const request = await rotationOf(old.id);
    expect(request).toMatchObject({ state: 'pending', approvalsRequired: 1, requesterId: admin });
    await h.approvalMessage(request.id);
    expect(h.clickhouse.requests.filter((r) => r.route === 'createKey')).toEqual([]);
    await h.approve(bob, request.id);
    await claimSuccessor(admin, request);
    expect(await h.store.getRetirement(old.id)).toMatchObject({ stage: 'retiring', ownerId: alice });
    // Both the owner and the admin who rotated it learn when the old key stops.
    await h.slack.waitFor(() => dmsTo(alice, /keeps working until/).length === 1);
    await h.slack.waitFor(() => dmsTo(admin, /keeps working until/).length === 1);
    // A key already retiring is not rotated again.
    await menu(admin, 'rotate', old.id, responseUrl, 'all');
    await h.slack.waitFor(() =>
      h.slack.ephemerals().some((e) => e.user === admin && /already rotated/.test(JSON.stringify(e.body))),
    );
  });

  it('a Rotate button (leak notice, expiry warning) from another user is refused; nothing is stored', async () => {
    await start();
    const old = await ownedKey(alice, 'alice-etl');
    await h.click(eve, ACTION.rotateKey, old.id, { channel: h.slack.dmChannel(eve) });
    await h.slack.waitFor(() =>
      h.slack.ephemerals().some((e) => e.user === eve && /owner or an admin/.test(JSON.stringify(e.body))),
    );
    expect(h.slack.callsTo('views.open')).toEqual([]);
    expect(await h.store.listRequests({})).toEqual([]);
    // The owner's own click opens the dialog.
    await h.click(alice, ACTION.rotateKey, old.id, { channel: h.slack.dmChannel(alice) });
    await dialog(CALLBACK.rotateModal);
  });

  it('the old key is retired once at the end of the overlap across a restart in the middle', async () => {
    const clock = new ManualClock(new Date());
    await start({ clock });
    const old = await ownedKey(alice, 'alice-etl', { now: clock.now() });
    await h.click(alice, ACTION.rotateKey, old.id, { channel: h.slack.dmChannel(alice) });
    const opened = await dialog(CALLBACK.rotateModal);
    await submit(alice, CALLBACK.rotateModal, opened, rotateValues(DAY, '30d'));
    await claimSuccessor(alice, await rotationOf(old.id));

    clock.advance(12 * HOUR);
    await h.keyhouse.tick();
    await h.stopInstance(h.instances[0]!);
    await h.startInstance();
    await h.keyhouse.tick();
    expect(keyInClickHouse(old.id)?.state).toBe('enabled');
    clock.advance(12 * HOUR);
    await h.keyhouse.tick();
    expect(keyInClickHouse(old.id)?.state).toBe('disabled');
    await h.stopInstance(h.instances[0]!);
    await h.startInstance();
    await h.keyhouse.tick();
    expect(patchesOf(old.id)).toHaveLength(1);
    await h.slack.waitFor(() => dmsTo(alice, /overlap of/).length === 1);
  });

  it('a disable ClickHouse refuses is given back and tried again on the next tick; the owner is told once', async () => {
    const clock = new ManualClock(new Date());
    await start({ clock });
    const old = await ownedKey(alice, 'alice-etl', { now: clock.now() });
    await h.click(alice, ACTION.rotateKey, old.id, { channel: h.slack.dmChannel(alice) });
    const opened = await dialog(CALLBACK.rotateModal);
    await submit(alice, CALLBACK.rotateModal, opened, rotateValues(HOUR, '30d'));
    await claimSuccessor(alice, await rotationOf(old.id));
    clock.advance(HOUR);
    h.clickhouse.failNext('updateKey', 1, 400);
    // The tick also runs the other timed rules (the daily offboarding check): count the retirement's.
    expect(await h.keyhouse.tick()).toMatchObject({ failed: 1 });
    expect(await retirementSteps(old.id)).toEqual(['attempt', 'failed']);
    expect(keyInClickHouse(old.id)?.state).toBe('enabled');
    expect((await h.store.getRetirement(old.id))?.stage).toBe('retiring');
    expect(await h.keyhouse.tick()).toMatchObject({ done: 1 });
    expect(keyInClickHouse(old.id)?.state).toBe('disabled');
    await h.quiet();
    expect(dmsTo(alice, /overlap of/)).toHaveLength(1);
  });

  it.skipIf(!PG)('two PostgreSQL replicas sweeping at once retire and delete the old key once', async () => {
    const clock = new ManualClock(new Date());
    await start({ clock, postgres: PG });
    const second = await h.startInstance();
    const old = await ownedKey(alice, 'alice-etl', { now: clock.now() });
    await h.click(alice, ACTION.rotateKey, old.id, { channel: h.slack.dmChannel(alice) });
    const opened = await dialog(CALLBACK.rotateModal);
    await submit(alice, CALLBACK.rotateModal, opened, rotateValues(HOUR, '30d'));
    await claimSuccessor(alice, await rotationOf(old.id));

    // Both replicas tick together, twice, the second time after the replica lease has lapsed,
    // so the other one runs the rules too: the marks and the stage's compare-and-set hold.
    const both = async () => {
      const before = (await retirementSteps(old.id)).filter((o) => o === 'ok').length;
      await Promise.all([h.instances[0]!, second].map((i) => i.keyhouse.tick()));
      clock.advance(5 * 60_000);
      await Promise.all([second, h.instances[0]!].map((i) => i.keyhouse.tick()));
      // Retirement steps done by either replica (the other timed rules run in the same ticks).
      return (await retirementSteps(old.id)).filter((o) => o === 'ok').length - before;
    };
    clock.advance(HOUR);
    expect(await both()).toBe(1);
    expect(patchesOf(old.id)).toHaveLength(1);
    expect(keyInClickHouse(old.id)?.state).toBe('disabled');
    clock.advance(7 * DAY);
    expect(await both()).toBe(1);
    expect(deletesOf(old.id)).toHaveLength(1);
    expect(keyInClickHouse(old.id)).toBeUndefined();
    await h.quiet();
    expect(dmsTo(alice, /overlap of/)).toHaveLength(1);
  });

  /** Outcomes of the retirement rule's timed steps on a key, from the audit, oldest first. */
  async function retirementSteps(keyId: string): Promise<string[]> {
    return (await h.store.listAudit({ keyId, limit: 1_000 }))
      .filter((e) => e.action === 'timer.rotation.retire')
      .map((e) => e.outcome);
  }

  async function openExtend(user: string, keyId: string, after = 0) {
    await h.click(user, ACTION.extendKey, keyId, { channel: h.slack.dmChannel(user) });
    return dialog(CALLBACK.extendModal, after);
  }

  const extendValues = (expiry: string, reason: string) => ({
    [BLOCK.extendExpiry]: { [ACTION.extendExpiry]: stateValue.staticSelect(expiry) },
    [BLOCK.extendReason]: { [ACTION.extendReason]: reason },
  });

  it('Extend from the expiry warning: approved like a longer expiry in Edit, then applied with PATCH expireAt', async () => {
    await start();
    const key = await ownedKey(alice, 'alice-etl', { expiresInMs: 2 * DAY });
    const opened = await openExtend(alice, key.id);
    expect(JSON.stringify(opened.view)).toContain('90 days');
    expect(JSON.stringify(opened.view)).not.toContain('365 days');
    // An expiry beyond the role's maxExpiry is answered in the dialog; nothing is stored.
    const tooLong = await submit(
      alice,
      CALLBACK.extendModal,
      opened,
      extendValues('365d', 'The job runs all year'),
    );
    expect(Object.keys((tooLong.json as { errors: object }).errors)).toEqual([BLOCK.extendExpiry]);
    expect(await h.store.listRequests({})).toEqual([]);

    await submit(
      alice,
      CALLBACK.extendModal,
      opened,
      extendValues('90d', 'The nightly job runs all quarter'),
    );
    const request = await h.until(
      async () => (await h.store.listRequests({ kind: 'change' }))[0],
      'change request',
    );
    expect(request).toMatchObject({ state: 'pending', keyId: key.id, expiry: '90d' });
    expect(await outcome(opened.id)).toMatch(/sent for approval/);
    expect(patchesOf(key.id)).toEqual([]);
    await h.approvalMessage(request.id);
    await h.approve(bob, request.id);
    await h.untilState(request.id, 'delivered');
    const lifetime = new Date(keyInClickHouse(key.id)?.expireAt ?? 0).getTime() - Date.now();
    expect(Math.abs(lifetime - 90 * DAY)).toBeLessThan(60_000);
    expect(patchesOf(key.id)).toHaveLength(1);
  });

  it('a denied Extend changes nothing', async () => {
    await start();
    const key = await ownedKey(alice, 'alice-etl', { expiresInMs: 2 * DAY });
    const before = keyInClickHouse(key.id)?.expireAt;
    const opened = await openExtend(alice, key.id);
    await submit(
      alice,
      CALLBACK.extendModal,
      opened,
      extendValues('90d', 'The nightly job runs all quarter'),
    );
    const request = await h.until(
      async () => (await h.store.listRequests({ kind: 'change' }))[0],
      'change request',
    );
    await h.approvalMessage(request.id);
    await h.post({
      kind: 'interaction',
      payload: viewSubmission({
        user: bob,
        callbackId: CALLBACK.denyModal,
        privateMetadata: request.id,
        values: { [BLOCK.denyReason]: { [ACTION.denyReasonInput]: 'Two more days is enough' } },
      }),
    });
    await h.untilState(request.id, 'denied');
    await h.slack.waitFor(() => dmsTo(alice, /denied/).length === 1);
    expect(patchesOf(key.id)).toEqual([]);
    expect(keyInClickHouse(key.id)?.expireAt).toBe(before);
  });

  it('Extend of a key whose role needs no approval applies at once', async () => {
    await start();
    const key = await ownedKey(alice, 'alice-qe', { expiresInMs: 2 * DAY, roles: ['query_endpoints'] });
    const opened = await openExtend(alice, key.id);
    await submit(alice, CALLBACK.extendModal, opened, extendValues('180d', 'Dashboards need it longer'));
    await h.until(() => patchesOf(key.id).length === 1, 'the PATCH');
    const lifetime = new Date(keyInClickHouse(key.id)?.expireAt ?? 0).getTime() - Date.now();
    expect(Math.abs(lifetime - 180 * DAY)).toBeLessThan(60_000);
    expect(await outcome(opened.id)).toMatch(/needs no approval/);
  });

  it('reassign: admins only, audited, both owners told', async () => {
    await start();
    const key = await ownedKey(alice, 'alice-etl');
    const mine = await ask(alice, 'list');
    expect(mine.text).not.toContain(`reassign:${key.id}`);
    // The owner's crafted Reassign is refused before any dialog, and a crafted submission too.
    await menu(alice, 'reassign', key.id, mine.responseUrl);
    await h.slack.waitFor(() =>
      h.slack
        .ephemerals()
        .some((e) => e.user === alice && /Only Keyhouse admins/.test(JSON.stringify(e.body))),
    );
    expect(h.slack.callsTo('views.open')).toEqual([]);

    const all = await ask(admin, 'list all');
    expect(all.text).toContain(`reassign:${key.id}`);
    await menu(admin, 'reassign', key.id, all.responseUrl, 'all');
    const opened = await dialog(CALLBACK.reassignModal);
    const crafted = await submit(alice, CALLBACK.reassignModal, opened, {
      [BLOCK.reassignUser]: { [ACTION.reassignUser]: stateValue.usersSelect(alice) },
    });
    expect(crafted.status).toBe(200);
    await h.slack.waitFor(() =>
      h.slack.callsTo('views.update').some((c) => /Only Keyhouse admins/.test(JSON.stringify(c.args.view))),
    );
    expect((await h.store.getKeyOwner(key.id))?.ownerId).toBe(alice);

    await submit(admin, CALLBACK.reassignModal, opened, {
      [BLOCK.reassignUser]: { [ACTION.reassignUser]: stateValue.usersSelect(carol) },
    });
    await h.until(async () => (await h.store.getKeyOwner(key.id))?.ownerId === carol, 'new owner');
    await h.slack.waitFor(() => dmsTo(carol, /made you the owner/).length === 1);
    await h.slack.waitFor(() => dmsTo(alice, /no longer own it/).length === 1);
    const audit = (await h.store.listAudit({ keyId: key.id })).map(
      (e) => `${e.actorId}:${e.action}:${e.outcome}`,
    );
    expect(audit).toEqual([
      `${alice}:key.reassign:refused`,
      `${admin}:key.reassign:attempt`,
      `${admin}:key.reassign:ok`,
    ]);
    expect((await ask(carol, 'list')).text).toContain('alice-etl');
  });

  it('/chkey review: stale, ownerless (outside Keyhouse or owner deactivated) and retiring keys, each with the menu; admins only', async () => {
    const clock = new ManualClock(new Date());
    await start({
      clock,
      emulator: { clock },
      slack: { users: { [alice]: {}, [carol]: { deleted: true }, [admin]: {}, [eve]: {}, [bob]: {} } },
    });
    const long = { now: clock.now(), expiresInMs: 90 * DAY };
    const stale = await ownedKey(alice, 'alice-stale', long);
    const fresh = await ownedKey(alice, 'alice-fresh', { ...long, anywhere: true });
    const leaver = await ownedKey(carol, 'carol-leaver', long);
    const outside = h.clickhouse.addKey({ name: 'console-made', roles: ['developer'] }).key;
    // 40 days on, only alice-fresh has been used since (staleAfter is 30 days).
    clock.advance(40 * DAY);
    const used = await fetch(`${h.clickhouse.url}/v1/organizations`, {
      headers: { authorization: `Basic ${Buffer.from(fresh.credentials).toString('base64')}` },
    });
    expect(used.status).toBe(200);

    const refused = await ask(eve, 'review');
    expect(refused.text).toMatch(/Only Keyhouse admins can review/);
    // No one's status is asked for a refusal (a locale look-up, to answer in eve's words, is not one).
    const statusChecks = () => h.slack.callsTo('users.info').filter((c) => !c.args.include_locale);
    expect(statusChecks()).toEqual([]);

    const { body, text } = await ask(admin, 'review');
    const blocks = body.blocks as { block_id?: string; accessory?: { type: string } }[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    const ids = blocks.map((b) => b.block_id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    const listed = (id: string) => blocks.find((b) => b.block_id === keyBlockId('review', 0, id));
    for (const id of [stale.id, leaver.id, outside.id]) expect(listed(id)?.accessory?.type).toBe('overflow');
    expect(listed(fresh.id)).toBeUndefined();
    expect(listed(h.clickhouse.adminKey.id)).toBeUndefined();
    expect(text).toMatch(/not used since/);
    expect(text).toMatch(/made outside Keyhouse/);
    expect(text).toMatch(/owner is deactivated/);
    // Keys seeded without a fingerprint of their secret are named as such; outside keys are not.
    expect(text.match(/no fingerprint/g)).toHaveLength(2);
    expect(
      statusChecks()
        .map((c) => c.args.user)
        .sort(),
    ).toEqual([alice, carol]);
  });

  it('/chkey review pages more keys than fit in one message, and lists retiring keys', async () => {
    await start();
    for (let i = 0; i < 24; i++)
      h.clickhouse.addKey({ name: `outside-${String(i).padStart(2, '0')}`, roles: ['developer'] });
    const { responseUrl, body } = await ask(admin, 'review');
    const blocks = body.blocks as {
      block_id?: string;
      elements?: { value: string; text: { text: string } }[];
    }[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    const next = blocks
      .find((b) => b.block_id === BLOCK.reviewNav)
      ?.elements?.find((e) => /Next/.test(e.text.text));
    expect(next?.value).toBe('1');
    await h.post({
      kind: 'interaction',
      payload: blockAction({
        user: admin,
        actionId: ACTION.reviewPage,
        value: next?.value ?? '',
        responseUrl,
        triggerId: h.slack.newTriggerId(admin),
      }),
    });
    const second = await h.slack.waitFor(() => {
      const posts = h.slack.responseUrlPosts.filter((p) => responseUrl.endsWith(p.id));
      return posts.length > 1 ? posts.at(-1) : null;
    });
    expect(JSON.stringify(second.body)).toContain('Page 2 of 2');
    expect(JSON.stringify(second.body)).toContain('outside-23');
  });

  it('limits: open requests and owned keys are counted in the modal; nothing is stored; admins are not limited', async () => {
    await start({ policy: testPolicy({ limits: { pendingPerUser: 2, keysPerUser: 2 } }) });
    const values = (n: number) => ({
      keyName: `key-${n}`,
      roleId: 'developer',
      expiry: '30d',
      reason: 'A nightly job that needs it',
    });
    for (const n of [1, 2])
      expect((await h.submitRequest(alice, values(n))).json).toMatchObject({ response_action: 'update' });
    const third = await h.submitRequest(alice, values(3));
    const errors = (third.json as { errors: Record<string, string> }).errors;
    expect(errors[BLOCK.keyName]).toMatch(/2 requests open/);
    expect((await h.store.listRequests({ requesterId: alice })).map((r) => r.keyName)).toEqual([
      'key-1',
      'key-2',
    ]);
    expect((await h.store.listAudit()).filter((e) => e.keyName === 'key-3')).toEqual([]);

    await ownedKey(carol, 'carol-1');
    await ownedKey(carol, 'carol-2');
    const owned = await h.submitRequest(carol, values(4));
    expect((owned.json as { errors: Record<string, string> }).errors[BLOCK.keyName]).toMatch(/own 2 keys/);
    expect(await h.store.listRequests({ requesterId: carol })).toEqual([]);

    for (const n of [5, 6, 7])
      expect((await h.submitRequest(admin, values(n))).json).toMatchObject({ response_action: 'update' });
    expect(await h.store.listRequests({ requesterId: admin })).toHaveLength(3);
  });

  it('a role with its own approvalChannel posts its approval message there', async () => {
    const base = testPolicy();
    const roles = base.roles.map((r) => ({
      id: r.id,
      label: r.label,
      grant: r.grant,
      maxExpiry: r.maxExpiry,
      approvals: r.approvals,
      ...(r.id === 'admin' ? { approvalChannel: 'C0ADMINAPPROVALS' } : {}),
    }));
    await start({ policy: testPolicy({ roles }) });
    await h.submitRequest(alice, {
      keyName: 'alice-admin',
      roleId: 'admin',
      expiry: '7d',
      reason: 'Schema migration tonight',
    });
    await h.submitRequest(alice, {
      keyName: 'alice-dev',
      roleId: 'developer',
      expiry: '7d',
      reason: 'Reads the events table',
    });
    const [adminReq, devReq] = await h.store.listRequests({ requesterId: alice });
    const special = await h.slack.waitFor(() =>
      h.slack.messages('C0ADMINAPPROVALS').find((m) => JSON.stringify(m).includes(adminReq!.id)),
    );
    expect(special.blocks).toBeDefined();
    await h.approvalMessage(devReq!.id);
    expect(h.slack.messages(APPROVAL_CHANNEL).some((m) => JSON.stringify(m).includes(adminReq!.id))).toBe(
      false,
    );
    // Decisions rewrite the message where it is.
    await h.click(bob, ACTION.approve, adminReq!.id, { channel: 'C0ADMINAPPROVALS' });
    await h.slack.waitFor(() =>
      h.slack
        .messages('C0ADMINAPPROVALS')
        .some((m) => m.thread_ts === special.ts && /approved/.test(JSON.stringify(m))),
    );
  });
});
