import { inspect } from 'node:util';
import { LogLevel, WebClient } from '@slack/web-api';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_TEST_DEFAULTS } from '../../dev/fake-slack/defaults.js';
import { type FakeSlack, startFakeSlack } from '../../dev/fake-slack/index.js';
import { isKeyhouseError, KeyhouseError } from '../../src/core/errors.js';
import type { ClickTarget } from '../../src/core/ports.js';
import { SlackNotifier, type SlackNotifierOptions } from '../../src/slack/notifier.js';
import { ACTION, BLOCK } from '../../src/views/ids.js';
import {
  approval,
  approvalCard,
  claimCard,
  keyRequest,
  NOW,
  policyRole,
  REQUEST_ID,
  secretReveal,
} from '../views/fixtures.js';

const APPROVALS = 'C0APPROVALS';
const REQUESTER = 'U0REQUESTER';
const SECRET = 'zQ9-never-print-me-7Hk2Lw4Xp';

let fake: FakeSlack;
let lines: string[];

beforeAll(async () => {
  fake = await startFakeSlack();
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.reset();
});

function notifier(overrides: Partial<SlackNotifierOptions> = {}): SlackNotifier {
  lines = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  const client = new WebClient(SLACK_TEST_DEFAULTS.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
  return new SlackNotifier({ client, approvalChannel: APPROVALS, logger, ...overrides });
}

/** Every string the error exposes: its text, JSON, inspection, and the whole cause chain. */
function everythingIn(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth += 1) {
    parts.push(String(current), JSON.stringify(current) ?? '', inspect(current, { depth: null }));
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('SlackNotifier messages', () => {
  it('posts the approval message to the approval channel and returns where it landed', async () => {
    const n = notifier();
    const ref = await n.postApproval(approvalCard());
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.args.channel).toBe(APPROVALS);
    expect(JSON.stringify(call?.args.blocks)).toContain(ACTION.approve);
    const [posted] = fake.messages(APPROVALS);
    expect(ref).toEqual({ channel: APPROVALS, ts: posted?.ts });
    expect(posted?.text).toContain('API key request from <@U0REQUESTER>');
  });

  it('posts to the role’s own approval channel when the role names one', async () => {
    const n = notifier();
    const ref = await n.postApproval(
      approvalCard({ role: policyRole({ approvalChannel: 'C0ROLECHANNEL' }) }),
    );
    expect(ref.channel).toBe('C0ROLECHANNEL');
    expect(fake.messages('C0ROLECHANNEL')).toHaveLength(1);
    expect(fake.messages(APPROVALS)).toHaveLength(0);
  });

  it('rewrites the approval message in place and replies in its thread', async () => {
    const n = notifier();
    const ref = await n.postApproval(approvalCard());
    const approved = approvalCard({
      request: keyRequest({ state: 'approved', decidedAt: NOW }),
      approvals: [approval('U0APPROVER1'), approval('U0APPROVER2')],
    });
    await n.updateApproval(ref, approved);
    await n.replyInThread(ref, { kind: 'approved', by: 'U0APPROVER2', given: 2, needed: 2 });

    const [update] = fake.callsTo('chat.update');
    expect(update?.args).toMatchObject({ channel: ref.channel, ts: ref.ts });
    const messages = fake.messages(APPROVALS);
    const parent = messages.find((m) => m.ts === ref.ts);
    expect(parent?.history).toHaveLength(2);
    expect(JSON.stringify(parent?.blocks)).not.toContain(BLOCK.decisionActions);
    const reply = messages.find((m) => m.thread_ts === ref.ts);
    expect(reply?.text).toBe('✅ <@U0APPROVER2> approved (2 of 2)');
  });

  it('sends the Create key DM to the requester and returns the DM channel', async () => {
    const n = notifier();
    const ref = await n.sendClaim(claimCard());
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.args.channel).toBe(REQUESTER);
    expect(ref.channel).toBe(fake.dmChannel(REQUESTER));
    expect(fake.messages(REQUESTER).map((m) => m.ts)).toEqual([ref.ts]);
    expect(JSON.stringify(call?.args.blocks)).toContain(ACTION.createKey);

    await n.updateClaim(ref, claimCard({ status: 'created', request: keyRequest({ state: 'delivered' }) }));
    const [update] = fake.callsTo('chat.update');
    expect(update?.args).toMatchObject({ channel: ref.channel, ts: ref.ts });
    expect(JSON.stringify(fake.messages(REQUESTER)[0]?.blocks)).not.toContain(ACTION.createKey);
  });

  it('tells the requester by DM', async () => {
    const n = notifier();
    await n.tellRequester(REQUESTER, {
      kind: 'denied',
      request: keyRequest(),
      by: 'U0APPROVER1',
      reason: 'no',
    });
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.args.channel).toBe(REQUESTER);
    expect(fake.messages(REQUESTER)[0]?.text).toContain('denied by <@U0APPROVER1>');
  });

  it('lets a Slack platform error through as the WebClient threw it', async () => {
    const n = notifier();
    fake.failNext('chat.postMessage', 1, { error: 'not_in_channel' });
    const error = await n.postApproval(approvalCard()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'slack_webapi_platform_error', data: { error: 'not_in_channel' } });
  });
});

describe('SlackNotifier.revealSecret', () => {
  const dm = () => fake.dmChannel(REQUESTER);
  const target = (overrides: Partial<ClickTarget> = {}): ClickTarget => ({
    userId: REQUESTER,
    responseUrl: fake.newResponseUrl({ channel: dm(), user: REQUESTER }),
    channelId: dm(),
    ...overrides,
  });

  it('answers the click once through its response_url', async () => {
    const n = notifier();
    await n.revealSecret(target(), secretReveal(SECRET));
    expect(fake.responseUrlPosts).toHaveLength(1);
    const [post] = fake.responseUrlPosts;
    expect(post?.status).toBe(200);
    expect(post?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(post?.body.blocks)).toContain(SECRET);
    expect(fake.callsTo('chat.postEphemeral')).toEqual([]);
    expect(fake.ephemerals()).toHaveLength(1);
    // No ordinary message anywhere carries it.
    expect(JSON.stringify(fake.calls)).not.toContain(SECRET);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ path: 'response_url', status: 200, msg: 'secret message delivered' }),
    ]);
    expect(lines.join('')).not.toContain(SECRET);
  });

  it('falls back to an ephemeral post in the DM when the response_url fails', async () => {
    const n = notifier();
    fake.failNext('response_url', 1, { status: 500 });
    await n.revealSecret(target(), secretReveal(SECRET));
    const [call] = fake.callsTo('chat.postEphemeral');
    expect(call?.args).toMatchObject({ channel: dm(), user: REQUESTER });
    expect(call?.args.text).not.toContain(SECRET);
    expect(JSON.stringify(call?.args.blocks)).toContain(SECRET);
    expect(fake.ephemerals().map((e) => e.via)).toEqual(['chat.postEphemeral']);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ path: 'response_url', status: 500, level: 40 }),
      expect.objectContaining({ path: 'postEphemeral', status: 200, level: 30 }),
    ]);
    expect(lines.join('')).not.toContain(SECRET);
  });

  it('falls back when the response_url has expired or been used up', async () => {
    const n = notifier();
    fake.failNext('response_url', 1, { error: 'expired_url' });
    await n.revealSecret(target(), secretReveal(SECRET));
    expect(fake.ephemerals().map((e) => e.via)).toEqual(['chat.postEphemeral']);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ path: 'response_url', status: 404 });
  });

  it('falls back when the response_url does not answer in time', async () => {
    const n = notifier({ responseTimeoutMs: 100 });
    fake.setLatency('response_url', 1000);
    await n.revealSecret(target(), secretReveal(SECRET));
    expect(fake.callsTo('chat.postEphemeral')).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ path: 'response_url', status: 'timeout' });
  });

  it('throws delivery_failed without the secret anywhere when both paths fail', async () => {
    const n = notifier();
    fake.failNext('response_url', 1, { status: 500 });
    fake.failNext('chat.postEphemeral', 1, { error: 'channel_not_found' });
    const error = await n.revealSecret(target(), secretReveal(SECRET)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KeyhouseError);
    expect(isKeyhouseError(error, 'delivery_failed')).toBe(true);
    expect((error as Error).message).toBe('Slack did not accept the message holding the secret.');
    const exposed = everythingIn(error);
    expect(exposed).toContain('response_url 500');
    expect(exposed).toContain('postEphemeral channel_not_found');
    expect(exposed).not.toContain(SECRET);
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain(SECRET);
  });

  it('never echoes a transport error that quotes the body', async () => {
    // A transport whose error repeats what it was sent, as some proxies and mocks do.
    const echoing: typeof fetch = async (_url, init) => {
      throw new Error(`could not send ${String(init?.body)}`);
    };
    const n = notifier({ fetch: echoing });
    fake.failNext('chat.postEphemeral', 1, { error: 'user_not_in_channel' });
    const error = await n.revealSecret(target(), secretReveal(SECRET)).catch((e: unknown) => e);
    expect(isKeyhouseError(error, 'delivery_failed')).toBe(true);
    expect(everythingIn(error)).not.toContain(SECRET);
    expect(everythingIn(error)).toContain('response_url network_error');
    expect(lines.join('')).not.toContain(SECRET);
  });

  it('throws delivery_failed when there is no path at all, without calling Slack', async () => {
    const n = notifier();
    const error = await n
      .revealSecret(target({ responseUrl: null, channelId: null }), secretReveal(SECRET))
      .catch((e: unknown) => e);
    expect(isKeyhouseError(error, 'delivery_failed')).toBe(true);
    expect(fake.calls).toEqual([]);
    expect(fake.responseUrlPosts).toEqual([]);
  });

  it('uses the DM alone when the click brought no response_url', async () => {
    const n = notifier();
    await n.revealSecret(target({ responseUrl: null }), secretReveal(SECRET));
    expect(fake.responseUrlPosts).toEqual([]);
    const calls = fake.callsTo('chat.postEphemeral');
    expect(calls).toHaveLength(1);
    const blocks = (calls[0]?.args.blocks ?? []) as { block_id?: string; elements?: { value?: string }[] }[];
    const actions = blocks.find((b) => b.block_id === BLOCK.secretActions);
    expect(actions?.elements?.[0]?.value).toBe(REQUEST_ID);
  });
});
