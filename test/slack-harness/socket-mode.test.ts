/**
 * Socket Mode end to end: a real Bolt 5 app connects to the fake Slack over a loopback WebSocket.
 *
 * How the socket client finds the fake: `SocketModeReceiver` builds a `SocketModeClient` whose WebClient (the one
 * that calls `apps.connections.open` with the app token) is made from `installerOptions.clientOptions`, and
 * nothing else. The options an app needs, then:
 *
 * - `new App({ socketMode: true, token, appToken, botId, botUserId, clientOptions: { slackApiUrl, retryConfig } })`:
 *   App copies its own `clientOptions` object into `installerOptions.clientOptions` when you give no
 *   `installerOptions.clientOptions`, so `clientOptions.slackApiUrl` alone reaches `apps.connections.open`.
 *   (An `installerOptions.clientOptions` of your own replaces it, slackApiUrl and all.)
 * - An explicit receiver (what `createApp` does with `HTTPReceiver`): App's `clientOptions` never reach it.
 *   Pass them twice: `new SocketModeReceiver({ appToken, installerOptions: { clientOptions: { slackApiUrl,
 *   retryConfig } }, clientPingTimeout? })` and `new App({ receiver, token, botId, botUserId, clientOptions })`.
 *   Without `slackApiUrl` there, the client goes to https://slack.com/api/.
 * - Always set `retryConfig`: SocketModeClient writes `{ retries: 100, factor: 1.3 }` into the very
 *   `clientOptions` object it is given when it has none, and with `socketMode: true` that object is App's own,
 *   so every listener's `client` inherits 100 retries (slack-platform.md §5; asserted below).
 * - `app.start()` resolves (with the `apps.connections.open` answer) only once Slack's `hello` arrives.
 * - After a `disconnect` message the client closes the socket, then waits `clientPingTimeout` (5 s by default;
 *   only an explicit SocketModeReceiver can set it) before calling `apps.connections.open` again.
 * - `app.stop()` resolves before the socket has closed (it does not await the close handshake); wait for
 *   `socketConnections()` to drop. Stop apps before closing the fake, or they try to reconnect to nothing.
 */
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type FakeSlack, startFakeSlack } from '../../dev/fake-slack/index.js';
import { appHomeOpened, slashCommand, viewSubmission } from '../support/slack-payloads.js';

const BOT = { token: 'xoxb-test-token', botId: 'B0KEYHOUSE', botUserId: 'U0KEYHOUSEBOT' } as const;
const APP_TOKEN = 'xapp-test-token';

let fake: FakeSlack;
/** Every app a test starts, stopped after it (and before the fake closes). */
const running: App[] = [];

beforeAll(async () => {
  fake = await startFakeSlack();
});

afterAll(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
  await fake.close();
});

/** Stops an app a test started and waits until the fake has seen its socket close. */
async function stopApp(app: App, remaining: number): Promise<void> {
  running.splice(running.indexOf(app), 1);
  await app.stop();
  await fake.waitFor(() => fake.socketConnections() === remaining, {
    message: 'app.stop() left its socket open',
  });
}

/** A Socket Mode app as Bolt builds it from `socketMode: true`, with listeners that record what they saw. */
function socketModeApp(seen: string[]): App {
  const app = new App({
    token: BOT.token,
    appToken: APP_TOKEN,
    socketMode: true,
    botId: BOT.botId,
    botUserId: BOT.botUserId,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });
  app.command('/chkey', async ({ ack, command }) => {
    seen.push(`command:${command.user_id}:${command.text}`);
    await ack({ response_type: 'ephemeral', text: `You said: ${command.text}` });
  });
  app.view('request', async ({ ack, view }) => {
    const reason = view.state.values.reason?.text?.value ?? '';
    seen.push(`view:${reason}`);
    await ack({ response_action: 'errors', errors: { reason: `too short: ${reason}` } });
  });
  app.event('app_home_opened', async ({ event, client, context }) => {
    seen.push(`home:${event.user}:retry=${context.retryNum ?? 0}`);
    await client.views.publish({
      user_id: event.user,
      view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Your keys' } }] },
    });
  });
  return app;
}

/** Opens a raw WebSocket (no Bolt) and collects the JSON messages the fake sends on it. */
function rawClient(url: string): Promise<{ socket: WebSocket; messages: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: Record<string, unknown>[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    socket.once('open', () => resolve({ socket, messages }));
    socket.once('error', reject);
  });
}

async function openConnectionUrl(): Promise<string> {
  const answer = await fetch(`${fake.apiUrl}apps.connections.open`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_TOKEN}` },
  });
  const body = (await answer.json()) as { ok: boolean; url: string };
  expect(body.ok).toBe(true);
  return body.url;
}

describe('a Bolt 5 app with socketMode: true', () => {
  const seen: string[] = [];
  let app: App;
  let started: { url?: string };
  let connectionsWhenStarted = 0;
  let openCalls: FakeSlack['calls'] = [];

  beforeAll(async () => {
    app = socketModeApp(seen);
    running.push(app);
    started = (await app.start()) as { url?: string };
    connectionsWhenStarted = fake.socketConnections();
    openCalls = fake.callsTo('apps.connections.open');
  });

  afterEach(() => {
    fake.reset();
    seen.length = 0;
  });

  // Also proves app.stop() closes the socket: stopApp waits for the count to drop to 0.
  afterAll(() => stopApp(app, 0));

  it('start() opens the connection with the app token and resolves once the socket is greeted', async () => {
    expect(openCalls.map((call) => call.token)).toEqual([APP_TOKEN]);
    // start() resolves with the apps.connections.open answer, after `hello` came over that very socket.
    expect(started.url).toBe(openCalls[0]?.response.url);
    expect(started.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket\/\d+$/);
    expect(connectionsWhenStarted).toBe(1);
    await fake.waitForSocket(1);
    // retryConfig was given, so the socket client left it alone.
    expect(app.webClientOptions.retryConfig).toEqual({ retries: 0 });
  });

  it('delivers a slash command and returns its ack({ text }) as the ack payload', async () => {
    const fields = slashCommand({ user_id: 'U0ALICE', text: 'help' });
    const result = await fake.sendSocketEnvelope({ kind: 'command', fields });
    expect(result.ack).toEqual({ response_type: 'ephemeral', text: 'You said: help' });
    expect(seen).toEqual(['command:U0ALICE:help']);
    expect(result.ms).toBeGreaterThanOrEqual(0);
    const [sent] = fake.socketEnvelopes;
    expect(sent?.envelope).toEqual({
      envelope_id: result.envelopeId,
      type: 'slash_commands',
      payload: fields,
      accepts_response_payload: true,
    });
    expect(fake.socketAcks).toMatchObject([{ envelopeId: result.envelopeId, connection: sent?.connection }]);
  });

  it("returns a view_submission's response_action errors as the ack payload, and records it as traffic", async () => {
    const payload = viewSubmission({
      user: 'U0ALICE',
      callbackId: 'request',
      values: { reason: { text: 'x1y2' } },
    });
    const result = await fake.sendSocketEnvelope({ kind: 'interaction', payload });
    expect(result.ack).toEqual({ response_action: 'errors', errors: { reason: 'too short: x1y2' } });
    expect(fake.socketEnvelopes[0]?.envelope).toMatchObject({
      type: 'interactive',
      accepts_response_payload: true,
    });
    // The envelope carried "x1y2" too, but only what the app sent counts: once, in the ack.
    expect(fake.allTraffic().split('too short: x1y2').length - 1).toBe(1);
    expect(fake.allTraffic().split('x1y2').length - 1).toBe(1);
  });

  it('delivers an events_api envelope to app.event with an empty ack, and passes retry_attempt on', async () => {
    const first = await fake.sendSocketEnvelope({
      kind: 'event',
      payload: appHomeOpened({ user: 'U0ALICE' }),
    });
    expect(first.ack).toBeNull();
    expect(fake.socketEnvelopes[0]?.envelope).toMatchObject({
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
    });
    const home = await fake.waitFor(() => fake.home('U0ALICE'));
    expect(home).toMatchObject({ type: 'home' });
    expect(fake.callsTo('views.publish')[0]?.token).toBe(BOT.token);

    const retried = await fake.sendSocketEnvelope(
      { kind: 'event', payload: appHomeOpened({ user: 'U0BOB' }) },
      { retryAttempt: 2 },
    );
    expect(retried.ack).toBeNull();
    expect(fake.socketEnvelopes[1]?.envelope).toMatchObject({ retry_attempt: 2, retry_reason: 'timeout' });
    expect(seen).toEqual(['home:U0ALICE:retry=0', 'home:U0BOB:retry=2']);
  });

  it('spreads envelopes round-robin over two connected apps', async () => {
    const otherSeen: string[] = [];
    const other = socketModeApp(otherSeen);
    running.push(other);
    await other.start();
    await fake.waitForSocket(2);
    for (const text of ['a', 'b', 'c', 'd']) {
      await fake.sendSocketEnvelope({ kind: 'command', fields: slashCommand({ text }) });
    }
    const connections = fake.socketEnvelopes.map((record) => record.connection);
    expect(new Set(connections).size).toBe(2);
    expect(connections[0]).not.toBe(connections[1]);
    expect(connections[0]).toBe(connections[2]);
    expect([seen.length, otherSeen.length]).toEqual([2, 2]);
    await stopApp(other, 1);
  });
});

describe('an explicit SocketModeReceiver (the shape createApp would use)', () => {
  it('needs the API URL in installerOptions.clientOptions, reconnects after disconnect, and stop() closes', async () => {
    const receiver = new SocketModeReceiver({
      appToken: APP_TOKEN,
      logLevel: LogLevel.ERROR,
      // The wait before reconnecting after a `disconnect`; 5 s by default.
      clientPingTimeout: 1500,
      installerOptions: { clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } } },
    });
    const app = new App({
      receiver,
      ...BOT,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    const commands: string[] = [];
    app.command('/chkey', async ({ ack, command }) => {
      commands.push(command.text);
      await ack(`ok ${command.text}`);
    });
    running.push(app);
    fake.reset();
    await app.start();
    expect(fake.callsTo('apps.connections.open').map((call) => call.token)).toEqual([APP_TOKEN]);
    expect(
      (await fake.sendSocketEnvelope({ kind: 'command', fields: slashCommand({ text: 'one' }) })).ack,
    ).toEqual({
      text: 'ok one',
    });

    fake.disconnectSockets();
    // Told to go: no longer counted or routed to, even before the client has closed the socket.
    expect(fake.socketConnections()).toBe(0);
    await expect(
      fake.sendSocketEnvelope({ kind: 'command', fields: slashCommand({ text: 'lost' }) }),
    ).rejects.toThrow('no Socket Mode client is connected');
    await fake.waitForSocket(1, 4000);
    expect(fake.callsTo('apps.connections.open')).toHaveLength(2);
    const [firstUrl, secondUrl] = fake.callsTo('apps.connections.open').map((call) => call.response.url);
    expect(secondUrl).not.toBe(firstUrl);
    expect(
      (await fake.sendSocketEnvelope({ kind: 'command', fields: slashCommand({ text: 'two' }) })).ack,
    ).toEqual({
      text: 'ok two',
    });
    expect(commands).toEqual(['one', 'two']);

    await stopApp(app, 0);
    // Stopped for good: no reconnect after the close.
    expect(fake.callsTo('apps.connections.open')).toHaveLength(2);
  });

  it('copies the socketMode: true App clientOptions into the socket client, and rewrites retryConfig when unset', () => {
    const clientOptions: { slackApiUrl: string; retryConfig?: object } = { slackApiUrl: fake.apiUrl };
    const app = new App({
      ...BOT,
      appToken: APP_TOKEN,
      socketMode: true,
      logLevel: LogLevel.ERROR,
      clientOptions,
    });
    // Never started: constructing makes no call. The socket client has written into App's own object.
    expect(clientOptions.retryConfig).toEqual({ retries: 100, factor: 1.3 });
    expect(app.webClientOptions).toBe(clientOptions);
  });
});

describe('the fake Socket Mode endpoint', () => {
  afterEach(() => fake.reset());

  it('greets with hello, refuses unknown and reused URLs, and fails an envelope nobody acks', async () => {
    const url = await openConnectionUrl();
    const { socket, messages } = await rawClient(url);
    await fake.waitFor(() => messages.length > 0);
    expect(messages[0]).toEqual({
      type: 'hello',
      num_connections: 1,
      debug_info: expect.objectContaining({ host: 'fake-slack' }),
      connection_info: { app_id: 'A0KEYHOUSE' },
    });
    await fake.waitForSocket(1);

    await expect(rawClient(url)).rejects.toThrow('Unexpected server response: 401');
    await expect(rawClient(url.replace(/\/socket\/\d+$/, '/socket/9999'))).rejects.toThrow(
      'Unexpected server response: 404',
    );

    await expect(
      fake.sendSocketEnvelope({ kind: 'command', fields: slashCommand() }, { timeoutMs: 100 }),
    ).rejects.toThrow('was not acked within 100 ms');
    await expect(
      fake.sendSocketEnvelope({ kind: 'command', fields: slashCommand() }, { retryAttempt: 1 }),
    ).rejects.toThrow('retryAttempt is for kind event');

    // An envelope in flight when the connection closes fails at once, not at its timeout.
    const inFlight = fake.sendSocketEnvelope(
      { kind: 'command', fields: slashCommand() },
      { timeoutMs: 10_000 },
    );
    socket.close();
    await expect(inFlight).rejects.toThrow('closed');
    await fake.waitFor(() => fake.socketConnections() === 0);
  });

  it('records a late, malformed or unexpected message from the client without failing', async () => {
    const { socket } = await rawClient(await openConnectionUrl());
    await fake.waitForSocket(1);
    socket.send('not json');
    socket.send(JSON.stringify({ envelope_id: 'never-sent', payload: { text: 'stray' } }));
    await fake.waitFor(() => fake.socketAcks.length === 2);
    expect(fake.socketAcks.map(({ envelopeId, payload }) => ({ envelopeId, payload }))).toEqual([
      { envelopeId: null, payload: 'not json' },
      { envelopeId: 'never-sent', payload: { text: 'stray' } },
    ]);
    socket.close();
    await fake.waitFor(() => fake.socketConnections() === 0);
  });
});
