import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type Logger, LogLevel, verifySlackRequest } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../dev/fake-slack/index.js';
import { signSlackRequest } from '../../dev/fake-slack/signing.js';
import { encodeSlackBody, postToApp } from '../../dev/fake-slack/slack-http.js';
import {
  appHomeOpened,
  blockAction,
  slashCommand,
  stateValue,
  viewSubmission,
} from '../support/slack-payloads.js';

const signingSecret = 'test-signing-secret';

const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

describe('signSlackRequest', () => {
  it("matches Slack's published example", () => {
    // The example from docs.slack.dev/authentication/verifying-requests-from-slack.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = signSlackRequest(body, '8f742231b10e8888abcd99yyyzzz85a5', 1531420618);
    expect(headers).toEqual({
      'x-slack-request-timestamp': '1531420618',
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    });
  });

  it('is the HMAC of the documented basestring, and Bolt accepts it', () => {
    const body = '{"type":"event_callback","event":{"type":"app_home_opened","user":"U1"}}';
    const ts = 1_800_000_000;
    const expected = `v0=${createHmac('sha256', signingSecret)
      .update(['v0', String(ts), body].join(':'))
      .digest('hex')}`;
    const headers = signSlackRequest(body, signingSecret, ts);
    expect(headers['x-slack-signature']).toBe(expected);
    expect(() =>
      verifySlackRequest({
        signingSecret,
        body,
        headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': ts },
        nowMilliseconds: ts * 1000,
      }),
    ).not.toThrow();
    expect(() =>
      verifySlackRequest({
        signingSecret: 'another-secret',
        body,
        headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': ts },
        nowMilliseconds: ts * 1000,
      }),
    ).toThrow();
  });
});

describe('a Bolt 5 app against the fake', () => {
  let fake: FakeSlack;
  let app: App;
  let appUrl: string;
  const seen: string[] = [];

  beforeAll(async () => {
    // The fake first: Bolt's web client must find it listening.
    fake = await startFakeSlack();
    app = new App({
      signingSecret,
      token: 'xoxb-test-token',
      botId: 'B0KEYHOUSE',
      botUserId: 'U0KEYHOUSEBOT',
      tokenVerificationEnabled: false,
      logger: silentLogger,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    app.command('/chkey', async ({ ack, command, respond, client }) => {
      await ack();
      seen.push(`command:${command.text}`);
      if (command.text === 'request') {
        await client.views.open({
          trigger_id: command.trigger_id,
          view: {
            type: 'modal',
            callback_id: 'request',
            title: { type: 'plain_text', text: 'Request a key' },
            blocks: [],
          },
        });
      } else {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: `You said: ${command.text}`,
        });
      }
    });
    app.action('approve', async ({ ack, body, client }) => {
      await ack();
      if (body.type !== 'block_actions' || body.channel === undefined || body.message === undefined) return;
      seen.push(`approve:${body.user.id}`);
      await client.chat.update({
        channel: body.channel.id,
        ts: body.message.ts,
        text: 'Approved',
        blocks: [],
      });
    });
    app.view('request', async ({ ack, view }) => {
      seen.push('view:request');
      const reason = view.state.values.reason?.text?.value ?? '';
      await ack({ response_action: 'errors', errors: { reason: `too short: ${reason}` } });
    });
    app.event('app_home_opened', async ({ event, client }) => {
      await client.views.publish({
        user_id: event.user,
        view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Your keys' } }] },
      });
    });
    const server = (await app.start(0)) as Server;
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    fake.reset();
    seen.length = 0;
  });

  afterAll(async () => {
    await app.stop();
    await fake.close();
  });

  it('accepts a signed slash command and its respond() reaches the fake response URL', async () => {
    const responseUrl = fake.newResponseUrl({ channel: 'C0GENERAL', user: 'U0ALICE' });
    const command = slashCommand({ user_id: 'U0ALICE', text: 'help', response_url: responseUrl });
    const answer = await postToApp(appUrl, { kind: 'command', fields: command }, { signingSecret });
    expect(answer.status).toBe(200);
    const ephemeral = await fake.waitFor(() => fake.ephemerals()[0]);
    expect(ephemeral).toMatchObject({
      via: 'response_url',
      user: 'U0ALICE',
      body: { text: 'You said: help' },
    });
  });

  it('opens a modal with the trigger id from the command', async () => {
    const command = slashCommand({
      user_id: 'U0ALICE',
      text: 'request',
      trigger_id: fake.newTriggerId('U0ALICE'),
    });
    expect((await postToApp(appUrl, { kind: 'command', fields: command }, { signingSecret })).status).toBe(
      200,
    );
    const view = await fake.waitFor(() => fake.views()[0]);
    expect(view).toMatchObject({ user: 'U0ALICE', view: { callback_id: 'request' } });
  });

  it('rejects a bad signature and a stale timestamp with 401, without running the listener', async () => {
    const fields = slashCommand({ text: 'help' });
    const forged = await postToApp(
      appUrl,
      { kind: 'command', fields },
      { signingSecret, signature: `v0=${'0'.repeat(64)}` },
    );
    const wrongSecret = await postToApp(
      appUrl,
      { kind: 'command', fields },
      { signingSecret: 'not-the-secret' },
    );
    const stale = await postToApp(
      appUrl,
      { kind: 'command', fields },
      { signingSecret, timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect([forged.status, wrongSecret.status, stale.status]).toEqual([401, 401, 401]);
    expect(seen).toEqual([]);
  });

  it('needs the bare form content type postToApp sends (Bolt answers 400 to a charset)', async () => {
    const { raw } = encodeSlackBody({ kind: 'command', fields: slashCommand({ text: 'help' }) });
    const answer = await fetch(`${appUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        ...signSlackRequest(raw, signingSecret, Math.floor(Date.now() / 1000)),
      },
      body: raw,
    });
    expect(answer.status).toBe(400);
    expect(seen).toEqual([]);
  });

  it('routes a block_actions payload built from a fake message', async () => {
    const posted = await app.client.chat.postMessage({ channel: 'C0APPROVALS', text: 'Pending approval' });
    const message = fake.messages('C0APPROVALS')[0]!;
    const payload = blockAction({
      user: 'U0BOB',
      actionId: 'approve',
      value: 'req-1',
      message: { ...message },
      responseUrl: fake.newResponseUrl({ channel: 'C0APPROVALS', user: 'U0BOB', messageTs: posted.ts! }),
      triggerId: fake.newTriggerId('U0BOB'),
    });
    expect(payload.channel?.id).toBe('C0APPROVALS');
    expect((await postToApp(appUrl, { kind: 'interaction', payload }, { signingSecret })).status).toBe(200);
    await fake.waitFor(() => fake.messages('C0APPROVALS')[0]?.text === 'Approved');
    expect(seen).toEqual(['approve:U0BOB']);
  });

  it('routes a view_submission and returns the ack body', async () => {
    const payload = viewSubmission({
      user: 'U0ALICE',
      callbackId: 'request',
      values: {
        reason: { text: 'because' },
        role: { pick: stateValue.staticSelect('developer', 'Developer') },
      },
    });
    const answer = await postToApp(appUrl, { kind: 'interaction', payload }, { signingSecret });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ response_action: 'errors', errors: { reason: 'too short: because' } });
  });

  it('delivers app_home_opened, and the listener publishes the Home tab', async () => {
    const answer = await postToApp(
      appUrl,
      { kind: 'event', payload: appHomeOpened({ user: 'U0ALICE' }) },
      { signingSecret },
    );
    expect(answer.status).toBe(200);
    const home = await fake.waitFor(() => fake.home('U0ALICE'));
    expect(home).toMatchObject({ type: 'home' });
  });
});
