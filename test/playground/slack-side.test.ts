/**
 * The playground's Slack side against a recording stand-in for the app: what a person does becomes the
 * signed request Slack would send, and the app's acknowledgement is applied as Slack's client would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_TEST_DEFAULTS } from '../../dev/fake-slack/defaults.js';
import { type FakeSlack, startFakeSlack } from '../../dev/fake-slack/index.js';
import { signSlackRequest } from '../../dev/fake-slack/signing.js';
import type { PlaygroundPeople } from '../../dev/playground/people.js';
import { reportRefusals, SlackSide } from '../../dev/playground/slack-side.js';
import { silentSlackLogger } from '../support/logs.js';

const SECRET = 'playground-test-signing-secret';
const ALICE = 'U0ALICE';
const people: PlaygroundPeople = {
  people: [
    { id: ALICE, name: 'Alice Ahmed', part: 'requester' },
    { id: 'U0BOB', name: 'Bob Baker', part: 'approver' },
  ],
  usergroups: {},
  channels: [{ id: 'C0GENERAL', name: 'general' }],
  general: 'C0GENERAL',
};

interface Received {
  raw: string;
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  /** The command fields, or the interaction payload, or the event envelope. */
  body: Record<string, unknown>;
}

/** The app: records each signed request and answers with the next queued acknowledgement (default empty). */
class RecordingApp {
  readonly received: Received[] = [];
  readonly answers: { status: number; body: string }[] = [];
  server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      const contentType = request.headers['content-type'] ?? '';
      const form = new URLSearchParams(raw);
      const body =
        contentType === 'application/json'
          ? JSON.parse(raw)
          : form.has('payload')
            ? JSON.parse(form.get('payload') ?? '{}')
            : Object.fromEntries(form);
      this.received.push({ raw, headers: request.headers, contentType, body });
      const answer = this.answers.shift() ?? { status: 200, body: '' };
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body);
    });
  });
  url = '';
  async listen() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  last(): Received {
    const last = this.received.at(-1);
    if (last === undefined) throw new Error('the app received nothing');
    return last;
  }
}

const section = (text: string, blockId?: string) => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text },
});
const modal = (blocks: unknown[]) => ({
  type: 'modal',
  callback_id: 'cb',
  title: { type: 'plain_text', text: 'A modal' },
  submit: { type: 'plain_text', text: 'Go' },
  blocks,
});
const nameInput = {
  type: 'input',
  block_id: 'name',
  label: { type: 'plain_text', text: 'Name' },
  element: { type: 'plain_text_input', action_id: 'n' },
};

describe('the playground Slack side', () => {
  let fake: FakeSlack;
  let app: RecordingApp;
  let side: SlackSide;
  let web: WebClient;
  let stopReporting: () => void;

  beforeAll(async () => {
    fake = await startFakeSlack({
      users: { [ALICE]: { name: 'Alice Ahmed' }, U0BOB: { name: 'Bob Baker' } },
    });
    app = new RecordingApp();
    await app.listen();
    web = new WebClient(SLACK_TEST_DEFAULTS.botToken, {
      slackApiUrl: fake.apiUrl,
      // These tests send Slack a duplicate block_id on purpose; its refusal is asserted, not printed.
      logger: silentSlackLogger,
      retryConfig: { retries: 0 },
    });
  });
  afterEach(() => {
    stopReporting();
    fake.reset();
    app.received.length = 0;
    app.answers.length = 0;
  });
  afterAll(async () => {
    await fake.close();
    await new Promise((resolve) => app.server.close(resolve));
  });
  const fresh = () => {
    side = new SlackSide({
      fake,
      appUrl: app.url,
      signingSecret: SECRET,
      command: '/chkey',
      people,
      changed: () => {},
    });
    stopReporting = reportRefusals(fake, side);
  };

  /** Opens a modal for Alice as the app would, with a trigger id Slack gave her. */
  const openModal = async (blocks: unknown[]) => {
    const opened = await web.views.open({
      trigger_id: fake.newTriggerId(ALICE),
      view: modal(blocks) as never,
    });
    return opened.view?.id ?? '';
  };

  it('sends a slash command signed as Slack signs it, and shows the message in its ack to that person only', async () => {
    fresh();
    app.answers.push({ status: 200, body: JSON.stringify({ text: 'usage', blocks: [section('*usage*')] }) });
    await side.command(ALICE, 'C0GENERAL', 'help');
    const sent = app.last();
    expect(sent.contentType).toBe('application/x-www-form-urlencoded');
    const timestamp = Number(sent.headers['x-slack-request-timestamp']);
    expect(sent.headers['x-slack-signature']).toBe(
      signSlackRequest(sent.raw, SECRET, timestamp)['x-slack-signature'],
    );
    expect(sent.body).toMatchObject({
      command: '/chkey',
      text: 'help',
      user_id: ALICE,
      channel_id: 'C0GENERAL',
    });
    expect(String(sent.body.response_url)).toMatch(new RegExp(`^${fake.url}/response/`));
    expect(fake.ephemerals()).toEqual([
      expect.objectContaining({ user: ALICE, channel: 'C0GENERAL', via: 'ack', ts: expect.any(String) }),
    ]);
    // The response URL acts for that person in that channel.
    await fetch(String(sent.body.response_url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'later' }),
    });
    expect(fake.ephemerals().map((e) => [e.user, e.channel, e.body.text])).toEqual([
      [ALICE, 'C0GENERAL', 'usage'],
      [ALICE, 'C0GENERAL', 'later'],
    ]);
  });

  it("a command's reply is replaced in place by replace_original on its response URL, as Slack does", async () => {
    fresh();
    app.answers.push({
      status: 200,
      body: JSON.stringify({ text: '⏳ waiting', response_type: 'ephemeral' }),
    });
    await side.command(ALICE, 'C0GENERAL', 'list');
    await fetch(String(app.last().body.response_url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'the list', replace_original: true }),
    });
    expect(fake.ephemerals().map((e) => [e.user, e.body.text])).toEqual([[ALICE, 'the list']]);
  });

  it('escapes the text as Slack does with should_escape: a typed @alice arrives as <@U0ALICE|alice>', async () => {
    fresh();
    await side.command(ALICE, 'C0GENERAL', 'audit @bob in #general <b> & @nobody');
    expect(app.last().body.text).toBe('audit <@U0BOB|bob> in <#C0GENERAL|general> &lt;b&gt; &amp; @nobody');
  });

  it("refuses, visibly and with Slack's error, an ack message Slack would refuse, and shows nothing", async () => {
    fresh();
    const twice = [section('a', 'same'), section('b', 'same')];
    app.answers.push({ status: 200, body: JSON.stringify({ text: 'x', blocks: twice }) });
    await side.command(ALICE, 'C0GENERAL', 'list');
    expect(fake.ephemerals()).toEqual([]);
    expect(side.refusals).toEqual([
      expect.objectContaining({ where: '/chkey acknowledgement', error: 'invalid_blocks' }),
    ]);
    expect(side.refusals[0]?.messages.join(' ')).toMatch(/same/);
  });

  it("lists the app's refused Web API calls with Slack's error and detail", async () => {
    fresh();
    await expect(
      web.chat.postMessage({
        channel: 'C0GENERAL',
        text: 'x',
        blocks: [section('a', 'b1'), section('b', 'b1')] as never,
      }),
    ).rejects.toThrow(/invalid_blocks/);
    expect(side.refusals).toEqual([
      expect.objectContaining({ where: 'chat.postMessage', error: 'invalid_blocks' }),
    ]);
  });

  it('tells the person when the app fails a command, as Slackbot does', async () => {
    fresh();
    app.answers.push({ status: 500, body: '' });
    await side.command(ALICE, 'C0GENERAL', '');
    expect(side.notices).toEqual([
      expect.objectContaining({
        user: ALICE,
        channel: 'C0GENERAL',
        text: '/chkey failed with the error "dispatch_failed"',
      }),
    ]);
  });

  it("sends a click with the button's own value from the message, and a response URL bound to that message", async () => {
    fresh();
    const posted = await web.chat.postMessage({
      channel: 'C0GENERAL',
      text: 'approve?',
      blocks: [
        {
          type: 'actions',
          block_id: 'decision',
          elements: [
            {
              type: 'button',
              action_id: 'ok',
              value: 'request-42',
              text: { type: 'plain_text', text: 'OK' },
            },
          ],
        },
      ],
    });
    await side.action(
      'U0BOB',
      { kind: 'message', channel: 'C0GENERAL', ts: posted.ts ?? '' },
      'decision',
      'ok',
      'forged',
    );
    const payload = app.last().body;
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0BOB' },
      channel: { id: 'C0GENERAL', name: 'general' },
      container: { type: 'message', message_ts: posted.ts, is_ephemeral: false },
      message: { ts: posted.ts, text: 'approve?' },
      actions: [{ type: 'button', action_id: 'ok', block_id: 'decision', value: 'request-42' }],
    });
    expect(String(payload.trigger_id)).not.toBe('');
    await fetch(String(payload.response_url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'approved' }),
    });
    expect(fake.messages('C0GENERAL').map((m) => m.text)).toEqual(['approved']);
  });

  it('binds a click in an ephemeral message to it: delete_original removes it, replace_original rewrites it', async () => {
    fresh();
    const blocks = [
      {
        type: 'actions',
        block_id: 'b',
        elements: [{ type: 'button', action_id: 'done', text: { type: 'plain_text', text: 'Done' } }],
      },
    ];
    await web.chat.postEphemeral({ channel: 'C0GENERAL', user: ALICE, text: 'one', blocks: blocks as never });
    await web.chat.postEphemeral({ channel: 'C0GENERAL', user: ALICE, text: 'two', blocks: blocks as never });
    const [first, second] = fake.ephemerals();
    await side.action(
      ALICE,
      { kind: 'ephemeral', channel: 'C0GENERAL', ts: first?.ts ?? '' },
      'b',
      'done',
      null,
    );
    const payload = app.last().body;
    expect(payload).toMatchObject({ container: { is_ephemeral: true, message_ts: first?.ts } });
    expect(payload.message).toBeUndefined();
    const post = (body: object) =>
      fetch(String(payload.response_url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post({ replace_original: true, text: 'one, again' });
    expect(fake.ephemerals().map((e) => e.body.text)).toEqual(['one, again', 'two']);
    await post({ delete_original: true });
    expect(fake.ephemerals().map((e) => e.ts)).toEqual([second?.ts]);
    // Another person cannot click what only Alice sees.
    await side.action(
      'U0BOB',
      { kind: 'ephemeral', channel: 'C0GENERAL', ts: second?.ts ?? '' },
      'b',
      'done',
      null,
    );
    expect(app.received).toHaveLength(1);
  });

  it("checks required fields before sending, as Slack's client does", async () => {
    fresh();
    const viewId = await openModal([nameInput]);
    await side.submit(ALICE, viewId, { name: { n: '' } });
    expect(app.received).toHaveLength(0);
    expect(side.modalErrors.get(viewId)?.fields).toEqual({ name: 'Please complete this required field.' });
  });

  it('submits the view with its state; errors land on their fields and the modal stays', async () => {
    fresh();
    const viewId = await openModal([nameInput]);
    app.answers.push({
      status: 200,
      body: JSON.stringify({ response_action: 'errors', errors: { name: 'Taken' } }),
    });
    await side.submit(ALICE, viewId, { name: { n: 'etl' } });
    expect(app.last().body).toMatchObject({
      type: 'view_submission',
      user: { id: ALICE },
      view: {
        id: viewId,
        callback_id: 'cb',
        state: { values: { name: { n: { type: 'plain_text_input', value: 'etl' } } } },
      },
    });
    expect(side.modalErrors.get(viewId)).toEqual({ fields: { name: 'Taken' }, banner: null });
    expect(fake.viewStack(ALICE).map((v) => v.id)).toEqual([viewId]);
    // An empty ack closes it.
    await side.submit(ALICE, viewId, { name: { n: 'etl-2' } });
    expect(fake.viewStack(ALICE)).toEqual([]);
  });

  it("applies update and push from the ack, and refuses a view Slack would refuse, with Slack's error", async () => {
    fresh();
    const viewId = await openModal([nameInput]);
    app.answers.push({
      status: 200,
      body: JSON.stringify({ response_action: 'push', view: modal([section('pushed')]) }),
    });
    await side.submit(ALICE, viewId, { name: { n: 'a' } });
    const stack = fake.viewStack(ALICE);
    expect(stack.map((v) => v.previousViewId)).toEqual([null, viewId]);
    const pushed = stack[1]?.id ?? '';
    const bad = modal([section('x'.repeat(3001))]);
    app.answers.push({ status: 200, body: JSON.stringify({ response_action: 'update', view: bad }) });
    await side.submit(ALICE, pushed, {});
    expect(side.refusals).toEqual([expect.objectContaining({ error: 'invalid_arguments' })]);
    expect(side.modalErrors.get(pushed)?.banner).toMatch(/trouble connecting/);
    app.answers.push({
      status: 200,
      body: JSON.stringify({ response_action: 'update', view: modal([section('updated')]) }),
    });
    await side.submit(ALICE, pushed, {});
    expect(JSON.stringify(fake.viewStack(ALICE)[1]?.view)).toContain('updated');
    await side.close(ALICE, pushed, 'top');
    expect(fake.viewStack(ALICE).map((v) => v.id)).toEqual([viewId]);
  });

  it('sends a select change in a modal with the view and its state, the option taken from the view', async () => {
    fresh();
    const viewId = await openModal([
      nameInput,
      {
        type: 'input',
        block_id: 'role',
        dispatch_action: true,
        label: { type: 'plain_text', text: 'Role' },
        element: {
          type: 'static_select',
          action_id: 'r',
          options: [{ text: { type: 'plain_text', text: 'Developer' }, value: 'dev' }],
        },
      },
    ]);
    await side.action(ALICE, { kind: 'view', viewId }, 'role', 'r', 'dev', {
      name: { n: 'typed' },
      role: { r: 'dev' },
    });
    expect(app.last().body).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: viewId },
      view: { id: viewId, state: { values: { name: { n: { value: 'typed' } } } } },
      actions: [{ type: 'static_select', selected_option: { value: 'dev', text: { text: 'Developer' } } }],
    });
    // A choice the element does not offer is not sent.
    await side.action(ALICE, { kind: 'view', viewId }, 'role', 'r', 'admin');
    expect(app.received).toHaveLength(1);
  });

  it('sends app_home_opened when the person opens the Home tab', async () => {
    fresh();
    await side.openedApp(ALICE, 'home');
    const sent = app.last();
    expect(sent.contentType).toBe('application/json');
    expect(sent.body).toMatchObject({
      type: 'event_callback',
      event: { type: 'app_home_opened', user: ALICE, tab: 'home' },
    });
  });
});
