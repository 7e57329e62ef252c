import {
  type Logger,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type WebClientOptions,
} from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeSlack,
  RESPONSE_URL_TTL_MS,
  startFakeSlack,
  TRIGGER_TTL_MS,
} from '../../dev/fake-slack/index.js';
import { ManualClock } from '../support/clock.js';

/** The WebClient logs Slack's `[ERROR]` messages; the tests assert on them instead. */
const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

const clock = new ManualClock('2026-03-01T12:00:00Z');
let fake: FakeSlack;

function client(token = 'xoxb-test-token', options: WebClientOptions = {}): WebClient {
  return new WebClient(token, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logger: silentLogger,
    ...options,
  });
}

async function platformError(promise: Promise<unknown>): Promise<WebAPIPlatformError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebAPIPlatformError);
  return error as WebAPIPlatformError;
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (title = 'Request a key') => ({
  type: 'modal' as const,
  callback_id: 'request',
  title: { type: 'plain_text' as const, text: title },
  blocks: [section('hello')],
});

beforeAll(async () => {
  fake = await startFakeSlack({
    clock,
    usergroups: { S0APPROVERS: ['U0BOB', 'U0CAROL'] },
    users: { U0ALICE: { name: 'alice', tz: 'Europe/Berlin' }, U0GONE: { deleted: true } },
  });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe('messages', () => {
  it('reflects chat.postMessage, then chat.update, in messages()', async () => {
    const web = client();
    const posted = await web.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'pending',
      blocks: [section('pending')],
    });
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(posted.message?.bot_id).toBe('B0KEYHOUSE');
    const reply = await web.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'approved by bob',
      thread_ts: posted.ts!,
    });
    expect(Number(reply.ts)).toBeGreaterThan(Number(posted.ts));

    await web.chat.update({
      channel: 'C0APPROVALS',
      ts: posted.ts!,
      text: 'approved',
      blocks: [section('approved')],
    });

    const [parent, threaded, ...rest] = fake.messages('C0APPROVALS');
    expect(rest).toEqual([]);
    expect(parent).toMatchObject({ ts: posted.ts, text: 'approved', blocks: [section('approved')] });
    expect(parent?.edited?.user).toBe('U0KEYHOUSEBOT');
    expect(parent?.history.map((body) => body.text)).toEqual(['pending', 'approved']);
    expect(threaded).toMatchObject({ thread_ts: posted.ts, text: 'approved by bob' });
    const call = fake.callsTo('chat.update')[0];
    expect(call?.args.blocks).toEqual([section('approved')]);
    expect(call?.token).toBe('xoxb-test-token');
  });

  it('posts to a user ID in the app DM, and deletes', async () => {
    const web = client();
    const posted = await web.chat.postMessage({ channel: 'U0ALICE', text: 'approved' });
    expect(posted.channel).toBe(fake.dmChannel('U0ALICE'));
    expect(fake.messages('U0ALICE')).toHaveLength(1);
    await web.chat.delete({ channel: posted.channel!, ts: posted.ts! });
    expect(fake.messages(fake.dmChannel('U0ALICE'))).toEqual([]);
    expect(
      (await platformError(web.chat.delete({ channel: posted.channel!, ts: posted.ts! }))).data.error,
    ).toBe('message_not_found');
  });

  it('answers invalid_blocks for blocks over the limit, with the problems listed', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const error = await platformError(client().chat.postMessage({ channel: 'C1', text: 'many', blocks }));
    expect(error.data.error).toBe('invalid_blocks');
    expect(error.data.response_metadata?.messages).toEqual([
      '[ERROR] must have at most 50 blocks (got 51) [json-pointer:/blocks]',
    ]);
    expect(fake.messages('C1')).toEqual([]);
  });

  it('rejects blocks without top-level text, on post, update and ephemeral', async () => {
    const web = client();
    expect(
      (await platformError(web.chat.postMessage({ channel: 'C1', blocks: [section('x')] }))).data.error,
    ).toBe('no_text');
    const posted = await web.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(
      (await platformError(web.chat.update({ channel: 'C1', ts: posted.ts!, blocks: [section('y')] }))).data
        .error,
    ).toBe('no_text');
    expect(
      (
        await platformError(
          web.chat.postEphemeral({ channel: 'C1', user: 'U0ALICE', blocks: [section('x')] }),
        )
      ).data.error,
    ).toBe('no_text');
    expect(fake.ephemerals()).toEqual([]);
  });

  it('answers msg_too_long for text over 40,000 characters', async () => {
    const error = await platformError(client().chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }));
    expect(error.data.error).toBe('msg_too_long');
  });

  it('records chat.postEphemeral as an ephemeral, which chat.update cannot reach', async () => {
    const web = client();
    const answer = await web.chat.postEphemeral({ channel: 'C1', user: 'U0ALICE', text: 'only you' });
    expect(fake.ephemerals()).toEqual([
      expect.objectContaining({
        channel: 'C1',
        user: 'U0ALICE',
        via: 'chat.postEphemeral',
        body: expect.objectContaining({ text: 'only you' }),
      }),
    ]);
    expect(fake.messages('C1')).toEqual([]);
    const error = await platformError(
      web.chat.update({ channel: 'C1', ts: answer.message_ts!, text: 'changed' }),
    );
    expect(error.data.error).toBe('message_not_found');
  });
});

describe('trigger ids and views', () => {
  it('opens a modal once per trigger id and records it for the trigger user', async () => {
    const web = client();
    const trigger = fake.newTriggerId('U0ALICE');
    const opened = await web.views.open({ trigger_id: trigger, view: modal() });
    expect(opened.view?.id).toMatch(/^V/);
    expect(fake.views()).toEqual([
      { id: opened.view?.id, user: 'U0ALICE', view: modal(), hash: opened.view?.hash },
    ]);
    expect((await platformError(web.views.open({ trigger_id: trigger, view: modal() }))).data.error).toBe(
      'exchanged_trigger_id',
    );
    expect((await platformError(web.views.open({ trigger_id: 'made-up', view: modal() }))).data.error).toBe(
      'invalid_trigger_id',
    );
  });

  it('expires trigger ids 3 s after issue', async () => {
    const web = client();
    const inTime = fake.newTriggerId('U0ALICE');
    const late = fake.newTriggerId('U0ALICE');
    clock.advance(TRIGGER_TTL_MS);
    await web.views.open({ trigger_id: inTime, view: modal() });
    clock.advance(1);
    expect((await platformError(web.views.open({ trigger_id: late, view: modal() }))).data.error).toBe(
      'expired_trigger_id',
    );
  });

  it('answers invalid_arguments for an over-long title without using up the trigger', async () => {
    const web = client();
    const trigger = fake.newTriggerId('U0ALICE');
    const error = await platformError(web.views.open({ trigger_id: trigger, view: modal('t'.repeat(25)) }));
    expect(error.data.error).toBe('invalid_arguments');
    expect(error.data.response_metadata?.messages).toEqual([
      '[ERROR] must be at most 24 characters (got 25) [json-pointer:/view/title/text]',
    ]);
    await web.views.open({ trigger_id: trigger, view: modal() });
    expect(fake.views()).toHaveLength(1);
  });

  it('updates a view by id, refusing a stale hash', async () => {
    const web = client();
    const opened = await web.views.open({ trigger_id: fake.newTriggerId('U0ALICE'), view: modal() });
    const updated = await web.views.update({
      view_id: opened.view!.id!,
      hash: opened.view!.hash!,
      view: modal('Updated'),
    });
    expect(updated.view?.hash).not.toBe(opened.view?.hash);
    expect(fake.views()[0]?.view).toEqual(modal('Updated'));
    const stale = await platformError(
      web.views.update({ view_id: opened.view!.id!, hash: opened.view!.hash!, view: modal('Again') }),
    );
    expect(stale.data.error).toBe('hash_conflict');
  });

  it('publishes a Home tab per user', async () => {
    const web = client();
    const home = { type: 'home' as const, blocks: [section('Your keys')] };
    await web.views.publish({ user_id: 'U0ALICE', view: home });
    expect(fake.home('U0ALICE')).toEqual(home);
    expect(fake.home('U0BOB')).toBeNull();
  });
});

describe('response URLs', () => {
  const post = (url: string, body: object) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('accepts five posts, then answers 404 used_url', async () => {
    const url = fake.newResponseUrl({ channel: 'D0ALICE', user: 'U0ALICE' });
    for (let i = 1; i <= 5; i += 1) {
      expect((await post(url, { text: `answer ${i}`, response_type: 'ephemeral' })).status).toBe(200);
    }
    const sixth = await post(url, { text: 'answer 6' });
    expect(sixth.status).toBe(404);
    expect(await sixth.text()).toBe('used_url');
    expect(fake.ephemerals().map((e) => [e.via, e.user, e.body.text])).toEqual(
      [1, 2, 3, 4, 5].map((i) => ['response_url', 'U0ALICE', `answer ${i}`]),
    );
    expect(fake.responseUrlPosts.map((p) => p.status)).toEqual([200, 200, 200, 200, 200, 404]);
  });

  it('expires after 30 minutes', async () => {
    const url = fake.newResponseUrl();
    clock.advance(RESPONSE_URL_TTL_MS + 1);
    const answer = await post(url, { text: 'late' });
    expect([answer.status, await answer.text()]).toEqual([404, 'expired_url']);
  });

  it('checks bodies like messages: 400 invalid_blocks, 400 no_text', async () => {
    const url = fake.newResponseUrl();
    const tooLong = await post(url, { text: 'x', blocks: [section('x'.repeat(3001))] });
    expect([tooLong.status, await tooLong.text()]).toEqual([400, 'invalid_blocks']);
    const noText = await post(url, { blocks: [section('x')] });
    expect([noText.status, await noText.text()]).toEqual([400, 'no_text']);
    expect(fake.ephemerals()).toEqual([]);
  });

  it('leaves delete_original out of ephemerals and acts on a bound message', async () => {
    const posted = await client().chat.postMessage({ channel: 'D0ALICE', text: 'approved' });
    const url = fake.newResponseUrl({ channel: 'D0ALICE', user: 'U0ALICE', messageTs: posted.ts! });
    await post(url, { replace_original: true, text: 'key created' });
    expect(fake.messages('D0ALICE').map((m) => m.text)).toEqual(['key created']);
    await post(url, { delete_original: true });
    expect(fake.messages('D0ALICE')).toEqual([]);
    expect(fake.ephemerals()).toEqual([]);
  });
});

describe('failure injection and auth', () => {
  it('fails the next N calls with a platform error, then recovers', async () => {
    const web = client();
    fake.failNext('chat.postMessage', 2, { error: 'channel_not_found' });
    for (let i = 0; i < 2; i += 1) {
      expect((await platformError(web.chat.postMessage({ channel: 'C1', text: 'x' }))).data.error).toBe(
        'channel_not_found',
      );
    }
    await web.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(fake.messages('C1')).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage').map((c) => c.response.ok)).toEqual([false, false, true]);
  });

  it('answers 429 with Retry-After', async () => {
    fake.failNext('chat.postEphemeral', 1, { status: 429, retryAfter: 1 });
    const error = await client('xoxb-test-token', { rejectRateLimitedCalls: true })
      .chat.postEphemeral({ channel: 'C1', user: 'U0ALICE', text: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect((error as WebAPIRateLimitedError).retryAfter).toBe(1);
    expect(fake.callsTo('chat.postEphemeral')[0]?.status).toBe(429);
    expect(fake.ephemerals()).toEqual([]);
  });

  it('makes a retries:0 client wait out Retry-After, then fail with a WebAPIRequestError', async () => {
    fake.failNext('chat.postMessage', 1, { status: 429, retryAfter: 1 });
    const started = Date.now();
    const error = await client()
      .chat.postMessage({ channel: 'C1', text: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIRequestError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.messages('C1')).toEqual([]);
  });

  it('answers an injected HTTP 500 as a WebAPIHTTPError, and fails response URLs too', async () => {
    fake.failNext('auth.test', 1, { status: 500 });
    const error = await client()
      .auth.test()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIHTTPError);
    expect((error as WebAPIHTTPError).statusCode).toBe(500);

    fake.failNext('response_url', 1, { status: 500 });
    const url = fake.newResponseUrl();
    const first = await fetch(url, { method: 'POST', body: JSON.stringify({ text: 'x' }) });
    const second = await fetch(url, { method: 'POST', body: JSON.stringify({ text: 'x' }) });
    expect([first.status, second.status]).toEqual([500, 200]);
  });

  it('checks the bearer token', async () => {
    expect((await platformError(client('xoxb-wrong').auth.test())).data.error).toBe('invalid_auth');
    const anonymous = new WebClient(undefined, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      logger: silentLogger,
    });
    expect((await platformError(anonymous.auth.test())).data.error).toBe('not_authed');
    expect((await platformError(client('xapp-test-token').auth.test())).data.error).toBe(
      'not_allowed_token_type',
    );
    const auth = await client().auth.test();
    expect(auth).toMatchObject({ user_id: 'U0KEYHOUSEBOT', bot_id: 'B0KEYHOUSE', team_id: 'T0KEYHOUSE' });
  });

  it('opens Socket Mode connections only with the app token', async () => {
    const opened = await client('xapp-test-token').apps.connections.open();
    expect(opened.url).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${new URL(fake.url).port}/`));
    expect((await platformError(client().apps.connections.open())).data.error).toBe('not_allowed_token_type');
  });

  it('answers unknown_method for methods it does not model', async () => {
    expect((await platformError(client().apiCall('admin.apps.approve'))).data.error).toBe('unknown_method');
  });

  it('delays answers with setLatency', async () => {
    fake.setLatency('auth.test', 150);
    const started = Date.now();
    await client().auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('directory methods', () => {
  it('lists user-group members and refuses unknown groups', async () => {
    const web = client();
    expect((await web.usergroups.users.list({ usergroup: 'S0APPROVERS' })).users).toEqual([
      'U0BOB',
      'U0CAROL',
    ]);
    expect((await platformError(web.usergroups.users.list({ usergroup: 'S0NOPE' }))).data.error).toBe(
      'no_such_subteam',
    );
  });

  it('describes configured users, with their time zone, and no one else', async () => {
    const web = client();
    const alice = await web.users.info({ user: 'U0ALICE' });
    expect(alice.user).toMatchObject({
      id: 'U0ALICE',
      name: 'alice',
      tz: 'Europe/Berlin',
      tz_offset: 3600,
      deleted: false,
    });
    expect((await web.users.info({ user: 'U0GONE' })).user?.deleted).toBe(true);
    expect((await web.users.info({ user: 'U0BOB' })).user?.id).toBe('U0BOB');
    expect((await platformError(web.users.info({ user: 'U0STRANGER' }))).data.error).toBe('user_not_found');
  });

  it('opens a stable DM per user', async () => {
    const web = client();
    const first = await web.conversations.open({ users: 'U0ALICE' });
    const again = await web.conversations.open({ users: 'U0ALICE' });
    expect(first.channel?.id).toBe(fake.dmChannel('U0ALICE'));
    expect(again.channel?.id).toBe(first.channel?.id);
    expect(again.already_open).toBe(true);
  });
});

describe('recording', () => {
  it('parses JSON bodies as well as forms', async () => {
    const answer = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test-token', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C1', text: 'json', blocks: [section('json')] }),
    });
    expect(await answer.json()).toMatchObject({ ok: true, channel: 'C1' });
    expect(fake.callsTo('chat.postMessage')[0]?.args.blocks).toEqual([section('json')]);
  });

  it('counts a value across everything the app sent', async () => {
    const secret = 'kh-secret-4f9a1c';
    await client().chat.postMessage({ channel: 'C1', text: 'no secret here' });
    await fetch(fake.newResponseUrl(), {
      method: 'POST',
      body: JSON.stringify({ text: `Key secret: ${secret}`, blocks: [section(`\`${secret}\``)] }),
    });
    expect(fake.allTraffic().split(secret).length - 1).toBe(2);
  });

  it('waitFor resolves with the first truthy value, or throws the message', async () => {
    setTimeout(() => void client().chat.postMessage({ channel: 'C2', text: 'later' }), 30);
    const message = await fake.waitFor(() => fake.messages('C2')[0], { timeoutMs: 2000 });
    expect(message.text).toBe('later');
    await expect(fake.waitFor(() => false, { timeoutMs: 50, message: 'never happened' })).rejects.toThrow(
      'never happened',
    );
  });

  it('numbers calls and response-URL posts in one sequence, and reset forgets them', async () => {
    await client().auth.test();
    await fetch(fake.newResponseUrl(), { method: 'POST', body: JSON.stringify({ text: 'x' }) });
    await client().auth.test();
    const seqs = [...fake.calls.map((c) => c.seq), ...fake.responseUrlPosts.map((p) => p.seq)].sort(
      (a, b) => a - b,
    );
    expect(seqs[2]! - seqs[0]!).toBe(2);
    expect(fake.responseUrlPosts[0]!.seq).toBe(seqs[1]);
    fake.reset();
    expect([fake.calls, fake.responseUrlPosts, fake.ephemerals()]).toEqual([[], [], []]);
  });
});
