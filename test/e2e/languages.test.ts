/**
 * Every person reads Keyhouse in their own Slack language and time zone; channels read the
 * policy's (product.md §14). End to end: the real app, the fake Slack answering `users.info` with
 * each person's locale, the ClickHouse emulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/core/fingerprint.js';
import { Catalog } from '../../src/i18n/index.js';
import { ACTION, CALLBACK, keyBlockId } from '../../src/views/ids.js';
import { ManualClock } from '../support/clock.js';
import { APPROVAL_CHANNEL, Harness, testPolicy, USERS } from '../support/keyhouse.js';
import { blockAction } from '../support/slack-payloads.js';

const { alice, bob, carol, dave, admin, eve } = USERS;

/** Alice reads Korean in Seoul; everyone else English in UTC unless a test changes it. */
const PEOPLE = {
  [alice]: { name: 'alice', locale: 'ko-KR', tz: 'Asia/Seoul' },
  [bob]: { name: 'bob', locale: 'en-US', tz: 'America/New_York' },
  [carol]: { name: 'carol', locale: 'en-US' },
  [dave]: { name: 'dave', locale: 'en-GB' },
  [admin]: { name: 'admin', locale: 'en-US' },
  [eve]: { name: 'eve', locale: 'en-US' },
};

describe('each person in their own language', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('answers /chkey help in the Slack language of whoever asks, and follows a change of it', async () => {
    h = await Harness.start({ slack: { users: PEOPLE } });
    expect(JSON.stringify(await h.answer(alice, 'help'))).toContain('사용법');
    expect(JSON.stringify(await h.answer(bob, 'help'))).toContain('How to use');
    // Known now: answered in the acknowledgement itself, still in Korean.
    const again = await h.command(alice, 'help');
    expect(JSON.stringify(again.response.json)).toContain('사용법');

    // Alice switches Slack to English: the user_change event says so, and Keyhouse follows at once.
    const { payload } = h.slack.changePreferences(alice, { locale: 'en-US' });
    await h.post({ kind: 'event', payload });
    // Bolt acknowledges an event before its listener runs: ask until the change has been heard.
    await h.until(
      async () => JSON.stringify((await h.command(alice, 'help')).response.json).includes('How to use'),
      'help in English after the user_change',
    );
    expect(h.slack.callsTo('users.info').filter((c) => c.args.user === alice)).toHaveLength(1);
  });

  /** A key of `owner`'s as Keyhouse records the ones it made (with the fingerprint of its secret). */
  async function ownedKey(owner: string, name: string, expireAt: Date | null, createdAt = new Date()) {
    const made = h.clickhouse.addKey({
      name,
      roles: ['developer'],
      expireAt: expireAt?.toISOString() ?? null,
    });
    await h.store.putKeyOwner({
      keyId: made.key.id,
      ownerId: owner,
      requestId: null,
      keyName: name,
      keySuffix: made.key.keySuffix,
      createdAt,
      fingerprint: fingerprint(made.keySecret),
    });
    return made;
  }

  it('lists keys in the Korean of a ko-KR person and the English of an en-US one', async () => {
    h = await Harness.start({ slack: { users: PEOPLE }, keyListTtlMs: 0 });
    await ownedKey(alice, 'etl-reader', new Date(Date.now() + 30 * 86_400_000));
    await ownedKey(bob, 'bob-reader', null);
    const korean = JSON.stringify(await h.answer(alice, 'list'));
    expect(korean).toContain('내 ClickHouse API 키');
    expect(korean).toContain('*etl-reader*');
    expect(korean).toContain('30일 후');
    expect(korean).toContain('사용 기록 없음');
    expect(korean).not.toContain('Your ClickHouse keys');
    const english = JSON.stringify(await h.answer(bob, 'list'));
    expect(english).toContain('Your ClickHouse keys');
    expect(english).toContain('never expires');
  });

  it("warns a ko-KR owner of their key's expiry in Korean, with Korean buttons and a date token", async () => {
    const t0 = new Date('2026-06-01T20:00:00.000Z');
    const clock = new ManualClock(t0);
    h = await Harness.start({
      clock,
      emulator: { clock },
      keyListTtlMs: 0,
      slack: { users: PEOPLE },
      policy: testPolicy({
        lifecycle: { expiryWarnings: ['7d'], staleAfter: 'never' },
        approvalReminders: { remindAfter: 'never', escalateAfter: 'never' },
        security: { channel: 'C0SECURITY' },
      }),
    });
    const expireAt = new Date(t0.getTime() + 10 * 86_400_000);
    await ownedKey(alice, 'etl-reader', expireAt, t0);
    clock.set(expireAt.getTime() - 7 * 86_400_000);
    await h.instances[0]!.keyhouse.tick();
    const warning = await h.slack.waitFor(() =>
      h.slack.messages(alice).find((m) => JSON.stringify(m).includes('etl-reader')),
    );
    expect(warning.text).toContain('만료가 다가옵니다');
    expect(warning.text).toContain('7일 후');
    const body = JSON.stringify(warning.blocks);
    expect(body).toContain('<!date^');
    expect(body).toContain('"text":"연장"');
    expect(body).toContain('"text":"교체"');
    expect(body).not.toContain('Extend');
  });

  it('tells a ko-KR owner of a leak in Korean, while the channels read the policy’s English', async () => {
    h = await Harness.start({
      slack: { users: PEOPLE },
      policy: testPolicy({ security: { channel: 'C0SECURITY' } }),
    });
    const { key, keySecret } = await ownedKey(alice, 'etl-reader', null);
    const { message, payload } = h.slack.userSays({
      channel: 'C0GENERAL',
      user: carol,
      text: `the key: ${keySecret}`,
    });
    await h.post({ kind: 'event', payload });
    const dm = await h.slack.waitFor(() =>
      h.slack.messages(alice).find((m) => (m.text ?? '').includes('시크릿')),
    );
    expect(dm.text).toContain(`*etl-reader* (…${key.keySuffix})`);
    expect(dm.text).toContain('Keyhouse가 키를 비활성화했습니다');
    expect(JSON.stringify(dm.blocks)).toContain('"text":"교체"');
    const reply = await h.slack.waitFor(() => h.slack.threadReplies('C0GENERAL', message.ts)[0]);
    expect(reply.text).toMatch(/delete this message/);
    const notice = await h.slack.waitFor(() => h.slack.messages('C0SECURITY')[0]);
    expect(notice.text).toContain('Leak:');
  });

  it('walks a ko-KR requester through request, approval and Create key in Korean, the channel in English', async () => {
    h = await Harness.start({ slack: { users: PEOPLE } });

    // The request form opens at once, in Korean, its key-name hint the policy's rule in Korean.
    await h.command(alice, '');
    const open = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
    const form = open.args.view as { callback_id: string; title: { text: string } };
    expect(form.callback_id).toBe(CALLBACK.requestModal);
    expect(form.title.text).toBe('API 키 요청');
    expect(JSON.stringify(form)).toContain('키 이름');
    expect(JSON.stringify(form)).toContain('만 쓸 수 있습니다');

    // The submission is answered at once, in Korean: where it went, and what comes next.
    const sent = await h.submitRequest(alice, {
      keyName: 'analytics-etl',
      roleId: 'developer',
      expiry: '30d',
      reason: 'Nightly ETL job needs read access',
    });
    const answer = JSON.stringify(sent.json);
    expect(answer).toContain(`<#${APPROVAL_CHANNEL}>`);
    expect(answer).toContain('채널에 보냈습니다');

    // The channel reads the policy's language (English by default), whoever asked.
    const request = await h.latestRequest(alice);
    const posted = JSON.stringify(await h.approvalMessage(request.id));
    expect(posted).toContain('API key request');
    expect(posted).toContain('Approve');
    expect(posted).not.toMatch(/[\uac00-\ud7a3]/);

    // Bob (English) approves; Alice's DM is in Korean, with the Create key button.
    await h.approve(bob, request.id);
    const claim = JSON.stringify(await h.claimMessage(alice, request.id));
    expect(claim).toContain('키 생성');
    expect(claim).toContain('승인되었습니다');
    expect(claim).toContain(ACTION.createKey);
    // Dates are Slack date tokens, which Alice's client shows in Seoul time.
    expect(claim).toMatch(/<!date\^\d+\^/);

    // Create key: the secret is shown once, in Korean.
    await h.createKey(alice, request.id);
    const reveal = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.body.blocks));
    const shown = JSON.stringify(reveal.body);
    expect(shown).toContain('새 ClickHouse API 키');
    expect(shown).toContain('이 시크릿은 다시 표시되지 않습니다');
    await h.untilState(request.id, 'delivered');

    // Her key's dialogs (Edit, Rotate, Delete from the list's menu) are in Korean too.
    const key = h.clickhouse.keys().find((k) => k.name === 'analytics-etl');
    for (const [verb, callbackId, title] of [
      ['edit', CALLBACK.editModal, 'API 키 수정'],
      ['rotate', CALLBACK.rotateModal, 'API 키 교체'],
      ['delete', CALLBACK.deleteModal, 'API 키 삭제'],
    ] as const) {
      const payload = blockAction({
        user: alice,
        actionId: ACTION.keyMenu,
        actionType: 'overflow',
        blockId: keyBlockId('mine', 0, key?.id ?? ''),
        selectedOption: { value: `${verb}:${key?.id}` },
        responseUrl: 'https://hooks.slack.test/list',
        triggerId: h.slack.newTriggerId(alice),
        channel: 'C0GENERAL',
      });
      await h.post({ kind: 'interaction', payload });
      const dialog = await h.slack.waitFor(() =>
        h.slack.views().find((v) => v.user === alice && v.view.callback_id === callbackId),
      );
      expect((dialog.view.title as { text: string }).text).toBe(title);
      expect(JSON.stringify(dialog.view)).toContain('소유자');
    }
  });

  it('tells each person an error in their own language, even someone Keyhouse has not looked up yet', async () => {
    h = await Harness.start({ slack: { users: PEOPLE } });
    const catalog = new Catalog();
    // A stale or crafted Create key button: nobody was looked up before, so Alice's words are not at
    // hand when it fails; the error handler asks Slack, not the thrower's guess (the policy's English).
    for (const [user, locale] of [
      [alice, 'ko'],
      [bob, 'en'],
    ] as const) {
      const { responseUrl } = await h.click(user, ACTION.createKey, 'not-a-request-id');
      const told = await h.slack.waitFor(() =>
        h.slack.responseUrlPosts.find((p) => responseUrl.endsWith(p.id)),
      );
      expect(String(told.body.text)).toContain(catalog.format(locale, 'approval.buttonGone'));
    }
    expect(h.slack.callsTo('users.info').filter((c) => c.args.user === alice)).toHaveLength(1);
  });

  it("posts the approval message in the policy's locale, while the approver's dialog is in theirs", async () => {
    h = await Harness.start({ slack: { users: PEOPLE }, policy: testPolicy({ locale: 'ko' }) });
    await h.submitRequest(bob, {
      keyName: 'bob-etl',
      roleId: 'developer',
      expiry: '30d',
      reason: 'Nightly ETL job needs read access',
    });
    const request = await h.latestRequest(bob);
    const message = await h.approvalMessage(request.id);
    const posted = JSON.stringify(message);
    expect(posted).toContain('API 키 요청');
    expect(posted).toContain('승인');
    expect(posted).toContain('거절');

    // Carol reads English: her Deny dialog is in English, the channel's message stays Korean.
    await h.click(carol, ACTION.deny, request.id, { channel: APPROVAL_CHANNEL, message });
    const dialog = await h.slack.waitFor(() => h.slack.callsTo('views.open')[0]);
    const view = dialog.args.view as { callback_id: string; title: { text: string } };
    expect(view.callback_id).toBe(CALLBACK.denyModal);
    expect(view.title.text).toBe('Deny request');
  });
});
