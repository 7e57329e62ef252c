/**
 * The page server: each open page gets, over Server-Sent Events, only what its person sees; what a
 * person does is accepted as JSON only and only for a person of the workspace.
 */
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_TEST_DEFAULTS } from '../../dev/fake-slack/defaults.js';
import { type FakeSlack, startFakeSlack } from '../../dev/fake-slack/index.js';
import type { PlaygroundPeople } from '../../dev/playground/people.js';
import { type PageServer, startPageServer } from '../../dev/playground/server.js';
import { reportRefusals, SlackSide } from '../../dev/playground/slack-side.js';
import type { Snapshot } from '../../dev/playground/snapshot.js';
import { silentSlackLogger } from '../support/logs.js';

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const people: PlaygroundPeople = {
  people: [
    { id: ALICE, name: 'Alice Ahmed', part: 'requester' },
    { id: BOB, name: 'Bob Baker', part: 'approver' },
  ],
  usergroups: {},
  channels: [{ id: 'C0GENERAL', name: 'general' }],
  general: 'C0GENERAL',
};

/** Reads one page's event stream, snapshot by snapshot. */
class Stream {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #controller: AbortController;
  #buffer = '';
  private constructor(reader: ReadableStreamDefaultReader<Uint8Array>, controller: AbortController) {
    this.#reader = reader;
    this.#controller = controller;
  }
  static async open(url: string): Promise<Stream> {
    const controller = new AbortController();
    const response = await fetch(url, { signal: controller.signal });
    if (response.body === null) throw new Error('no stream');
    return new Stream(response.body.getReader(), controller);
  }
  async next(): Promise<Snapshot> {
    for (;;) {
      const end = this.#buffer.indexOf('\n\n');
      if (end >= 0) {
        const event = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (data !== undefined) return JSON.parse(data) as Snapshot;
        continue;
      }
      const { value, done } = await this.#reader.read();
      if (done) throw new Error('stream ended');
      this.#buffer += new TextDecoder().decode(value);
    }
  }
  close(): void {
    this.#controller.abort();
  }
}

const general = (snapshot: Snapshot) => snapshot.conversations.find((c) => c.id === 'C0GENERAL')?.html ?? '';

describe('the playground page server', () => {
  let fake: FakeSlack;
  let server: PageServer;
  let web: WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack({
      users: { [ALICE]: { name: 'Alice Ahmed' }, [BOB]: { name: 'Bob Baker' } },
    });
    const side: SlackSide = new SlackSide({
      fake,
      // Nothing here reaches the app.
      appUrl: 'http://127.0.0.1:9',
      signingSecret: 'unused',
      command: '/chkey',
      people,
      changed: () => server.changed(),
    });
    reportRefusals(fake, side);
    server = await startPageServer({ fake, side, people, appName: 'Keyhouse', command: '/chkey', port: 0 });
    web = new WebClient(SLACK_TEST_DEFAULTS.botToken, {
      slackApiUrl: fake.apiUrl,
      // These tests send Slack a duplicate block_id on purpose; its refusal is asserted, not printed.
      logger: silentSlackLogger,
      retryConfig: { retries: 0 },
    });
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  const post = (path: string, body: unknown, contentType = 'application/json') =>
    fetch(new URL(`api/${path}`, server.url), {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: JSON.stringify(body),
    });

  it("streams a person's ephemeral messages to that person only, and lets only them dismiss one", async () => {
    const alice = await Stream.open(new URL(`events?user=${ALICE}`, server.url).href);
    expect(general(await alice.next())).toContain('No messages yet');
    await web.chat.postMessage({ channel: 'C0GENERAL', text: 'hello *everyone*' });
    await web.chat.postEphemeral({ channel: 'C0GENERAL', user: ALICE, text: 'only for alice' });
    let seen = await alice.next();
    while (!general(seen).includes('only for alice')) seen = await alice.next();
    expect(general(seen)).toContain('hello <b>everyone</b>');
    expect(general(seen)).toContain('Only visible to you');

    const bob = await Stream.open(new URL(`events?user=${BOB}`, server.url).href);
    const bobSees = await bob.next();
    expect(general(bobSees)).toContain('hello <b>everyone</b>');
    expect(JSON.stringify(bobSees)).not.toContain('only for alice');

    const ts = fake.ephemerals()[0]?.ts ?? '';
    expect((await post('dismiss', { user: BOB, ts })).status).toBe(204);
    expect(fake.ephemerals()).toHaveLength(1);
    expect((await post('dismiss', { user: ALICE, ts })).status).toBe(204);
    expect(fake.ephemerals()).toHaveLength(0);
    while (general(seen).includes('only for alice')) seen = await alice.next();
    alice.close();
    bob.close();
  });

  it("shows everyone what Slack refused the app, with Slack's error and detail", async () => {
    const bob = await Stream.open(new URL(`events?user=${BOB}`, server.url).href);
    await bob.next();
    const twice = { type: 'section', block_id: 'dup', text: { type: 'plain_text', text: 'x' } };
    await expect(
      web.chat.postMessage({ channel: 'C0GENERAL', text: 'x', blocks: [twice, twice] as never }),
    ).rejects.toThrow(/invalid_blocks/);
    let seen = await bob.next();
    while (!seen.refusals.includes('invalid_blocks')) seen = await bob.next();
    expect(seen.refusals).toContain('<b>chat.postMessage</b>: <code>invalid_blocks</code>');
    expect(seen.refusals).toMatch(/dup/);
    bob.close();
  });

  it("switches a person's Slack language: users.info says it, and their page shows it", async () => {
    const alice = await Stream.open(new URL(`events?user=${ALICE}`, server.url).href);
    expect((await alice.next()).language).toBe('en-US');
    expect((await post('language', { user: ALICE, locale: 'ko-KR' })).status).toBe(204);
    let seen = await alice.next();
    while (seen.language !== 'ko-KR') seen = await alice.next();
    const info = await web.users.info({ user: ALICE, include_locale: true });
    expect(info.user?.locale).toBe('ko-KR');
    expect(info.user?.tz).toBe('Asia/Seoul');
    expect((await post('language', { user: ALICE, locale: 'fr-FR' })).status).toBe(400);
    expect((await post('language', { user: ALICE, locale: 'en-US' })).status).toBe(204);
    expect((await web.users.info({ user: ALICE, include_locale: true })).user?.locale).toBe('en-US');
    alice.close();
  });

  it('takes JSON only, and only for people of the workspace', async () => {
    expect((await post('dismiss', { user: ALICE, ts: '1' }, 'text/plain')).status).toBe(415);
    expect((await post('dismiss', { user: 'U0STRANGER', ts: '1' })).status).toBe(400);
    expect((await post('command', { user: ALICE })).status).toBe(400);
    expect((await fetch(new URL('events?user=U0STRANGER', server.url))).status).toBe(404);
  });

  it('serves a favicon, named by the page, so the browser meets no 404', async () => {
    const html = await (await fetch(server.url)).text();
    expect(html).toContain('<link rel="icon" href="/favicon.svg"');
    for (const path of ['favicon.svg', 'favicon.ico']) {
      const icon = await fetch(new URL(path, server.url));
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toBe('image/svg+xml');
      expect(await icon.text()).toMatch(/^<svg /);
    }
  });

  it('serves the page and its compiled script', async () => {
    const html = await (await fetch(server.url)).text();
    expect(html).toContain('<option value="U0ALICE">Alice Ahmed — requester</option>');
    expect(html).toContain('<option value="ko-KR">한국어 (ko-KR) · Asia/Seoul</option>');
    const script = await (await fetch(new URL('page.js', server.url))).text();
    expect(script).toContain('new EventSource(`/events?user=');
    expect(script).not.toMatch(/:\s*(Snapshot|Values)\b/);
  });
});
