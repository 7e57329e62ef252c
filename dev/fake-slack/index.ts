/**
 * A loopback fake of the Slack Web API and of response URLs, recording everything it is sent.
 *
 * Point the real Bolt app at it with `clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }`
 * and hand its `newTriggerId()` / `newResponseUrl()` to the payload factories. It answers like Slack
 * (slack-platform.md §2, §3, §5): bearer-token auth, form or JSON bodies, single-use expiring trigger ids,
 * five-use response URLs, and Block Kit limits enforced as `invalid_blocks` / `invalid_arguments`.
 *
 * It is also the Socket Mode endpoint (§6): the `ws://` URLs `apps.connections.open` hands out are served here,
 * so a Bolt app with `socketMode: true` connects to it, and `sendSocketEnvelope` delivers the same bodies
 * `postToApp` would POST in HTTP mode. See test/slack-harness/socket-mode.test.ts for the Bolt options.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Clock, systemClock } from '../../src/core/clock.js';
import { checkMessage, checkView, type MessageRejection } from './block-kit-limits.js';
import { dmChannelId, SLACK_TEST_DEFAULTS } from './defaults.js';
import { type EnvelopeContext, eventEnvelope, messageChangedEvent, messageEvent } from './events.js';
import { type OtherMessage, otherMessageEvent } from './message-kinds.js';
import { type Json, parseApiArgs, readBody, tokenOf } from './parse.js';
import { parseResponseBody, postToResponseUrl } from './response-urls.js';
import type { SlackRequestBody } from './slack-http.js';
import {
  type SocketAckRecord,
  type SocketEnvelopeRecord,
  type SocketEnvelopeResult,
  SocketModeServer,
} from './socket-mode.js';
import { callMethod } from './web-api.js';
import {
  type FakeEphemeral,
  type FakeMessage,
  type ResponseUrlBinding,
  type UserProfile,
  VIEW_STACK_MAX,
  Workspace,
} from './workspace.js';

export type { OtherMessage } from './message-kinds.js';
export type {
  SocketAckRecord,
  SocketEnvelope,
  SocketEnvelopeRecord,
  SocketEnvelopeResult,
} from './socket-mode.js';
export type { FakeEphemeral, FakeMessage, ResponseUrlBinding, UserProfile } from './workspace.js';
export {
  RESPONSE_URL_MAX_USES,
  RESPONSE_URL_TTL_MS,
  TRIGGER_TTL_MS,
  VIEW_STACK_MAX,
} from './workspace.js';

/** One Web API call as the fake saw it, with what it answered. */
export interface SlackCall {
  seq: number;
  method: string;
  /** Form or JSON arguments; `blocks`, `view`, `attachments` and `metadata` are decoded from their JSON strings. */
  args: Record<string, unknown>;
  token: string | null;
  /** Clock time of arrival, in ms. */
  at: number;
  response: Record<string, unknown>;
  /** HTTP status answered (200 unless a failure was injected). */
  status: number;
}

export interface ResponseUrlPost {
  seq: number;
  id: string;
  body: Record<string, unknown>;
  status: number;
  at: number;
  /** The answer's body: `{"ok":true}` or Slack's plain-text error code. */
  response: string;
}

export interface FakeSlackOptions {
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** User-group ID → member user IDs, for `usergroups.users.list`; unknown groups answer `no_such_subteam`. */
  usergroups?: Record<string, string[]>;
  /**
   * When given, only these users (plus user-group members and the bot) exist for `users.info`,
   * `conversations.open` and `views.publish`; when left out, every `U…`/`W…` ID exists with defaults.
   */
  users?: Record<string, UserProfile>;
  /** Default `xoxb-test-token`. */
  botToken?: string;
  /** Default `xapp-test-token`; the only token `apps.connections.open` accepts. */
  appToken?: string;
  /** Time source for trigger-id and response-URL expiry and for `ts`; share a `ManualClock` to move it. */
  clock?: Clock;
  /**
   * Per-method latency in ms from the start (e.g. `{ 'usergroups.users.list': 4000 }` for a slow
   * user-group API), as `setLatency` would set it; kept across `reset()`.
   */
  latency?: Record<string, number>;
}

/** A view as the fake holds it: the app's last version of it, and where it sits in its user's modal stack. */
export interface FakeViewRecord {
  id: string;
  user: string;
  type: 'modal' | 'home';
  view: Record<string, unknown>;
  hash: string;
  rootViewId: string;
  previousViewId: string | null;
}

/**
 * Something changed in the fake, for a live client (the playground page): a Web API call or a response-URL
 * post was answered, or a client-side action (a modal closed, an ephemeral dismissed) was applied.
 */
export type FakeSlackActivity =
  | { type: 'call'; call: SlackCall }
  | { type: 'response_url'; post: ResponseUrlPost }
  | { type: 'client'; user: string; what: string };

/** The outcome of a `view_submission` acknowledgement's `response_action`, applied as Slack's client would. */
export type ViewAckOutcome =
  | { ok: true; action: 'close' | 'clear' | 'update' | 'push' | 'errors'; viewId: string | null }
  | { ok: false; error: string; messages: string[] };

/** A failure to inject: a Slack platform error (`ok:false`, HTTP 200) or an HTTP status (429 with `Retry-After`). */
export type InjectedFailure = { error: string } | { status: number; retryAfter?: number };

export interface FakeSlack {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `${url}/api/`, for `slackApiUrl`. */
  readonly apiUrl: string;
  readonly calls: SlackCall[];
  readonly responseUrlPosts: ResponseUrlPost[];
  callsTo(method: string): SlackCall[];
  /**
   * A trigger id as Slack puts in an interaction payload: single use, expires 3 s after issue. `views.open` /
   * `views.push` answer `exchanged_trigger_id` once used, `expired_trigger_id` late, `invalid_trigger_id`
   * for ids the fake never issued. `user` is who the opened modal belongs to in `views()`.
   */
  newTriggerId(user?: string): string;
  /**
   * `${url}/response/<id>`: accepts at most 5 posts within 30 minutes, then answers 404 `used_url` /
   * `expired_url`. Bind it to where the interaction came from so `replace_original` / `delete_original` act
   * on that message and `in_channel` posts land in `messages(channel)`; `channel`/`user` also label
   * `ephemerals()` (they are '' when not bound).
   */
  newResponseUrl(bind?: ResponseUrlBinding): string;
  /**
   * The next `count` requests to `target` (a method like `chat.postMessage`, or `response_url`) fail.
   * For `response_url`, `{ error }` answers HTTP 404 with the code as text. Injected failures change no state.
   */
  failNext(target: string, count: number, failure: InjectedFailure): void;
  /** Delay every answer for `target` (a method or `response_url`) by `ms`; 0 removes it. */
  setLatency(target: string, ms: number): void;
  /**
   * What Slack does with the app's HTTP answer to a `view_submission` of modal `viewId`
   * (slack-platform.md §2): `update` replaces the view in place (same id, new hash), `errors` leaves
   * it open as it was, `push` stacks a new view, an empty answer or `clear` closes it. In HTTP mode
   * that answer reaches the test, not the fake, so the test hands it on. Returns the view shown
   * afterwards, or null when the modal closed. Throws when Slack would refuse the answer.
   * `submittedHash` is the hash the submission carried: when the view changed since, the app's own
   * `views.update` came after this answer (Slack applies the answer first) and is kept.
   */
  answerViewSubmission(
    viewId: string,
    answer: unknown,
    submittedHash?: string,
  ): { id: string; user: string; view: Record<string, unknown>; hash: string } | null;
  /** Replaces a user group's members, as an admin editing the group in Slack would. */
  setUsergroup(groupId: string, members: string[]): void;
  /** Current non-ephemeral messages in a channel (a user ID means the app's DM with them), oldest first. */
  messages(channel: string): FakeMessage[];
  ephemerals(): FakeEphemeral[];
  /** Modals opened, pushed or updated, and Home tabs published; current state, in creation order. */
  views(): { id: string; user: string; view: Record<string, unknown>; hash: string }[];
  home(user: string): Record<string, unknown> | null;
  /**
   * Deactivates a user as a workspace admin would: `users.info` answers `deleted: true` from now on.
   * The fake sends no event; post a `user_change` event to the app to tell it.
   */
  deactivateUser(user: string): void;
  /** An admin reactivated the user: `users.info` answers `deleted: false` again. */
  reactivateUser(user: string): void;
  /**
   * The person changes their language (`ko-KR`) or time zone in Slack: `users.info` answers so from
   * now on, and the `user_change` envelope Slack would send (the user object, locale included) is
   * returned, ready for `postToApp({ kind: 'event', payload })`.
   */
  changePreferences(
    user: string,
    change: { locale?: string; tz?: string },
  ): { payload: Record<string, unknown> };
  /** The user's open modal stack, bottom first (empty when no modal is open). */
  viewStack(user: string): FakeViewRecord[];
  /**
   * What Slack's client does on its own: `back` closes the top modal, `all` the whole stack (the X, or a
   * `response_action: "clear"`). Views stay known to `views()`; only the stack changes.
   */
  closeViews(user: string, which: 'top' | 'all'): void;
  /**
   * Applies the app's acknowledgement of a `view_submission` on `viewId` as Slack would: empty → close that
   * view; `clear` → close all; `update` / `push` → the view is checked like `views.update` / `views.push`
   * (and refused the same way); `errors` → the modal stays. Unknown actions are refused.
   */
  applyViewAck(user: string, viewId: string, ack: Record<string, unknown> | null): ViewAckOutcome;
  /**
   * Shows an ephemeral message as Slack does with a message in a slash command's acknowledgement: checked
   * like `chat.postEphemeral` (the rejection is returned, nothing is shown), then recorded with `via: 'ack'`.
   */
  /**
   * Shows an acknowledgement's message to `user`; with the command's `responseUrl`, that URL's
   * `replace_original` then rewrites this message, as Slack does with a slash command's reply.
   */
  showEphemeral(
    channel: string,
    user: string,
    body: Record<string, unknown>,
    responseUrl?: string,
  ): MessageRejection | null;
  /** Removes an ephemeral message from its user's screen (Slack's "Dismiss"); false when there is none. */
  dismissEphemeral(user: string, ts: string): boolean;
  /**
   * Calls `listener` after every answered call, response-URL post and client-side change; returns the
   * function that stops it. Listeners must not throw.
   */
  onActivity(listener: (activity: FakeSlackActivity) => void): () => void;
  dmChannel(user: string): string;
  waitFor<T>(
    predicate: () => T | undefined | false | null,
    options?: { timeoutMs?: number; message?: string },
  ): Promise<T>;
  /** Socket Mode envelopes the fake sent, in order (each with the connection it went to). */
  readonly socketEnvelopes: SocketEnvelopeRecord[];
  /** Everything Socket Mode clients wrote back: acks `{ envelope_id, payload? }`, and anything malformed. */
  readonly socketAcks: SocketAckRecord[];
  /**
   * Open Socket Mode connections (apps that called apps.connections.open and connected), not counting those
   * told to disconnect by `disconnectSockets` that have not closed yet.
   */
  socketConnections(): number;
  /** Waits until at least `n` (default 1) Socket Mode clients are connected; rejects after `timeoutMs` (5000). */
  waitForSocket(n?: number, timeoutMs?: number): Promise<void>;
  /**
   * Delivers what Slack would POST in HTTP mode as a Socket Mode envelope to one connected client
   * (round-robin across connections, like Slack spreading envelopes), and resolves with the ack's
   * `payload` (or null for an empty ack: none, or `{}` as a bare `ack()` sends) and how long it took.
   * Rejects at once when no client is connected, when the connection closes first, or without an ack within
   * `timeoutMs` (default 3000). kind 'command' → type `slash_commands` with the command fields as payload;
   * 'interaction' → `interactive`; 'event' → `events_api`. `accepts_response_payload` is true for commands and
   * interactions. `retryAttempt` (events only) sets `retry_attempt` and `retry_reason: 'timeout'`.
   */
  sendSocketEnvelope(
    body: SlackRequestBody,
    options?: { timeoutMs?: number; retryAttempt?: number },
  ): Promise<SocketEnvelopeResult>;
  /**
   * Sends `{"type":"disconnect","reason":…}` (default `refresh_requested`) to every client. They close the
   * socket and reconnect with a fresh URL (the SDK waits its `clientPingTimeout`, 5 s by default, first).
   */
  disconnectSockets(reason?: string): void;
  /**
   * `user` types `text` in `channel` (a `C…`, `G…` or `D…` id; in a thread with `threadTs`): the message is
   * stored like any other, and the Events API `message` envelope Slack would send is returned, ready for
   * `postToApp({ kind: 'event', payload })` or `sendSocketEnvelope`. `mpim` marks a `G…` id as a group DM.
   */
  userSays(input: { channel: string; user: string; text: string; threadTs?: string; mpim?: boolean }): {
    message: FakeMessage;
    payload: Record<string, unknown>;
  };
  /** `user` edits their message `ts` in `channel`: the stored text changes, and the `message_changed` envelope. */
  userEdits(input: { channel: string; ts: string; text: string; mpim?: boolean }): {
    message: FakeMessage;
    payload: Record<string, unknown>;
  };
  /**
   * Something other than a person's typed message appears in `channel` (message-kinds.ts): a bot's or
   * integration's post (classic `bot_message`, incoming webhook, Workflow Builder, a modern app's bot), a
   * forwarded message, a topic or purpose change. Stored like any message; the envelope Slack would send.
   */
  somethingPosted(message: OtherMessage): { message: FakeMessage; payload: Record<string, unknown> };
  /** Messages in a thread (the parent's `ts`), oldest first; replies included, the parent not. */
  threadReplies(channel: string, threadTs: string): FakeMessage[];
  /**
   * JSON of everything the app sent: every call's method, token and arguments, every response-URL body and
   * every Socket Mode ack's payload (a modal's `response_action` travels there). Not the fake's answers or
   * envelopes, which echo what the app sent and would double-count; for "secret appears N times".
   */
  allTraffic(): string;
  /**
   * Forget calls, messages, views, handles, injected failures, latencies, envelopes and acks; the server and
   * open Socket Mode connections stay up.
   */
  reset(): void;
  /** Terminates Socket Mode connections and stops the server. Stop Socket Mode apps first, or they reconnect. */
  close(): Promise<void>;
}

interface PendingFailure {
  remaining: number;
  failure: InjectedFailure;
}

class FakeSlackServer implements FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly responseUrlPosts: ResponseUrlPost[] = [];
  readonly #server: Server;
  readonly #workspace: Workspace;
  readonly #failures = new Map<string, PendingFailure[]>();
  readonly #latency = new Map<string, number>();
  readonly #sockets: SocketModeServer;
  readonly #listeners = new Set<(activity: FakeSlackActivity) => void>();
  readonly #baseLatency: Record<string, number>;
  #seq = 0;
  #url = '';

  constructor(options: FakeSlackOptions) {
    this.#baseLatency = { ...options.latency };
    for (const [target, ms] of Object.entries(this.#baseLatency)) this.setLatency(target, ms);
    const d = SLACK_TEST_DEFAULTS;
    this.#workspace = new Workspace({
      botUserId: options.botUserId ?? d.botUserId,
      botId: options.botId ?? d.botId,
      teamId: options.teamId ?? d.teamId,
      teamDomain: d.teamDomain,
      teamName: d.teamName,
      appId: d.appId,
      botToken: options.botToken ?? d.botToken,
      appToken: options.appToken ?? d.appToken,
      usergroups: structuredClone(options.usergroups ?? {}),
      users: options.users === undefined ? undefined : structuredClone(options.users),
      clock: options.clock ?? systemClock,
    });
    this.#sockets = new SocketModeServer({
      appId: d.appId,
      nextSeq: () => this.#nextSeq(),
      now: () => this.#workspace.now(),
    });
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`fake-slack failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
    this.#server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#sockets.upgrade(request, socket, head),
    );
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}`;
  }

  get url(): string {
    return this.#url;
  }

  get apiUrl(): string {
    return `${this.#url}/api/`;
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  newTriggerId(user = ''): string {
    return this.#workspace.issueTrigger(user);
  }

  newResponseUrl(bind: ResponseUrlBinding = {}): string {
    return `${this.#url}/response/${this.#workspace.issueResponseUrl(bind)}`;
  }

  failNext(target: string, count: number, failure: InjectedFailure): void {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`failNext count must be a positive integer, got ${count}`);
    const queue = this.#failures.get(target) ?? [];
    queue.push({ remaining: count, failure });
    this.#failures.set(target, queue);
  }

  setLatency(target: string, ms: number): void {
    if (ms > 0) this.#latency.set(target, ms);
    else this.#latency.delete(target);
  }

  answerViewSubmission(
    viewId: string,
    answer: unknown,
    submittedHash?: string,
  ): { id: string; user: string; view: Record<string, unknown>; hash: string } | null {
    const workspace = this.#workspace;
    const current = workspace.views.get(viewId);
    if (current === undefined || current.type !== 'modal') throw new Error(`no open modal ${viewId}`);
    const overtaken = submittedHash !== undefined && submittedHash !== current.hash;
    const body = (answer ?? {}) as Record<string, unknown>;
    const action = body.response_action;
    if (action === undefined || action === 'clear') {
      const stack = workspace.stacks.get(current.user) ?? [];
      const closing = action === 'clear' ? stack : [viewId];
      for (const id of closing) workspace.views.delete(id);
      workspace.stacks.set(
        current.user,
        stack.filter((id) => !closing.includes(id)),
      );
      return null;
    }
    if (action === 'errors') {
      if (typeof body.errors !== 'object' || body.errors === null) throw new Error('errors without errors');
      return { id: current.id, user: current.user, view: structuredClone(current.view), hash: current.hash };
    }
    if (action !== 'update' && action !== 'push')
      throw new Error(`unknown response_action ${String(action)}`);
    const view = body.view;
    if (typeof view !== 'object' || view === null) throw new Error(`${action} without a view`);
    const problems = checkView(view as Record<string, unknown>);
    if (problems.length > 0) throw new Error(`Slack would refuse this view: ${problems.join('; ')}`);
    if (action === 'update') {
      if (overtaken)
        return {
          id: current.id,
          user: current.user,
          view: structuredClone(current.view),
          hash: current.hash,
        };
      current.view = structuredClone(view as Record<string, unknown>);
      current.hash = workspace.newHash();
      return { id: current.id, user: current.user, view: structuredClone(current.view), hash: current.hash };
    }
    const stack = workspace.stacks.get(current.user) ?? [];
    if (stack.length >= VIEW_STACK_MAX) throw new Error('push_limit_reached');
    const id = workspace.nextId('V');
    const pushed = {
      id,
      user: current.user,
      view: structuredClone(view as Record<string, unknown>),
      hash: workspace.newHash(),
      type: 'modal' as const,
      rootViewId: current.rootViewId,
      previousViewId: stack.at(-1) ?? null,
    };
    workspace.views.set(id, pushed);
    workspace.stacks.set(current.user, [...stack, id]);
    return { id, user: pushed.user, view: structuredClone(pushed.view), hash: pushed.hash };
  }

  setUsergroup(groupId: string, members: string[]): void {
    this.#workspace.config.usergroups[groupId] = [...members];
  }

  messages(channel: string): FakeMessage[] {
    const id = this.#workspace.resolveChannel(channel);
    return structuredClone(this.#workspace.channels.get(id) ?? []);
  }

  ephemerals(): FakeEphemeral[] {
    return structuredClone(this.#workspace.ephemerals);
  }

  views(): { id: string; user: string; view: Record<string, unknown>; hash: string }[] {
    return [...this.#workspace.views.values()].map(({ id, user, view, hash }) => ({
      id,
      user,
      view: structuredClone(view),
      hash,
    }));
  }

  home(user: string): Record<string, unknown> | null {
    const id = this.#workspace.homes.get(user);
    const view = id === undefined ? undefined : this.#workspace.views.get(id);
    return view === undefined ? null : structuredClone(view.view);
  }

  dmChannel(user: string): string {
    return dmChannelId(user);
  }

  deactivateUser(user: string): void {
    this.#workspace.deactivated.add(user);
  }

  reactivateUser(user: string): void {
    this.#workspace.deactivated.delete(user);
  }

  changePreferences(user: string, change: { locale?: string; tz?: string }) {
    const preferences = this.#workspace.preferences;
    preferences.set(user, { ...preferences.get(user), ...change });
    const event = {
      type: 'user_change',
      user: this.#workspace.userObject(user, { includeLocale: true }),
      cache_ts: Math.floor(this.#workspace.now() / 1000),
      event_ts: this.#workspace.nextTs(),
    };
    return { payload: eventEnvelope(this.#envelopeContext(), event) };
  }

  viewStack(user: string): FakeViewRecord[] {
    return (this.#workspace.stacks.get(user) ?? []).flatMap((id) => {
      const view = this.#workspace.views.get(id);
      return view === undefined ? [] : [{ ...view, view: structuredClone(view.view) }];
    });
  }

  closeViews(user: string, which: 'top' | 'all'): void {
    const stack = this.#workspace.stacks.get(user) ?? [];
    this.#workspace.stacks.set(user, which === 'all' ? [] : stack.slice(0, -1));
    this.#emit({ type: 'client', user, what: which === 'all' ? 'views.closed' : 'view.back' });
  }

  applyViewAck(user: string, viewId: string, ack: Record<string, unknown> | null): ViewAckOutcome {
    const workspace = this.#workspace;
    const stack = workspace.stacks.get(user) ?? [];
    const action = ack?.response_action;
    const outcome = ((): ViewAckOutcome => {
      if (action === undefined) {
        workspace.stacks.set(
          user,
          stack.filter((id) => id !== viewId),
        );
        return { ok: true, action: 'close', viewId: null };
      }
      if (action === 'clear') {
        workspace.stacks.set(user, []);
        return { ok: true, action: 'clear', viewId: null };
      }
      if (action === 'errors') {
        const errors = ack?.errors;
        if (typeof errors !== 'object' || errors === null || Array.isArray(errors)) {
          return { ok: false, error: 'invalid_arguments', messages: ['errors must be an object'] };
        }
        return { ok: true, action: 'errors', viewId };
      }
      if (action === 'update' || action === 'push') {
        const problems = checkView(ack?.view);
        const view = ack?.view as Record<string, unknown> | undefined;
        if (problems.length === 0 && view?.type !== 'modal')
          problems.push('must be modal [json-pointer:/view/type]');
        if (problems.length > 0 || view === undefined) {
          return { ok: false, error: 'invalid_arguments', messages: problems };
        }
        if (action === 'update') {
          const current = workspace.views.get(viewId);
          if (current === undefined) return { ok: false, error: 'not_found', messages: [] };
          current.view = structuredClone(view);
          current.hash = workspace.newHash();
          return { ok: true, action, viewId };
        }
        if (stack.length >= VIEW_STACK_MAX) return { ok: false, error: 'push_limit_reached', messages: [] };
        const id = workspace.nextId('V');
        workspace.views.set(id, {
          id,
          user,
          view: structuredClone(view),
          hash: workspace.newHash(),
          type: 'modal',
          rootViewId: stack[0] ?? id,
          previousViewId: stack.at(-1) ?? null,
        });
        workspace.stacks.set(user, [...stack, id]);
        return { ok: true, action, viewId: id };
      }
      return {
        ok: false,
        error: 'invalid_arguments',
        messages: [`unknown response_action ${String(action)}`],
      };
    })();
    this.#emit({ type: 'client', user, what: `view_submission.${outcome.ok ? outcome.action : 'refused'}` });
    return outcome;
  }

  showEphemeral(
    channel: string,
    user: string,
    body: Record<string, unknown>,
    responseUrl?: string,
  ): MessageRejection | null {
    const rejection = checkMessage(body);
    if (rejection !== null) return rejection;
    const ts = this.#workspace.nextTs();
    this.#workspace.ephemerals.push({ ts, channel, user, body: structuredClone(body), via: 'ack' });
    // A slash command's reply is the "original" of its response URL: `replace_original` rewrites it.
    const bound =
      responseUrl && this.#workspace.responseUrls.get(responseUrl.slice(responseUrl.lastIndexOf('/') + 1));
    if (bound) bound.ephemeralTs = ts;
    this.#emit({ type: 'client', user, what: 'ephemeral.ack' });
    return null;
  }

  dismissEphemeral(user: string, ts: string): boolean {
    const found = this.#workspace.findEphemeral(user, ts);
    if (found === undefined) return false;
    this.#workspace.ephemerals.splice(this.#workspace.ephemerals.indexOf(found), 1);
    this.#emit({ type: 'client', user, what: 'ephemeral.dismissed' });
    return true;
  }

  onActivity(listener: (activity: FakeSlackActivity) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(activity: FakeSlackActivity): void {
    for (const listener of this.#listeners) listener(activity);
  }

  async waitFor<T>(
    predicate: () => T | undefined | false | null,
    options: { timeoutMs?: number; message?: string } = {},
  ): Promise<T> {
    // A ceiling for a test that would hang, not a speed limit: generous for a busy machine.
    const timeoutMs = options.timeoutMs ?? 30_000;
    // Real time on purpose: this waits for the app under test, whatever the fake's clock says.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() >= deadline) {
        throw new Error(options.message ?? `fake-slack waitFor: condition not met within ${timeoutMs} ms`);
      }
      await sleep(10);
    }
  }

  get socketEnvelopes(): SocketEnvelopeRecord[] {
    return this.#sockets.envelopes;
  }

  get socketAcks(): SocketAckRecord[] {
    return this.#sockets.acks;
  }

  socketConnections(): number {
    return this.#sockets.live();
  }

  waitForSocket(n = 1, timeoutMs = 30_000): Promise<void> {
    return this.#sockets.waitFor(n, timeoutMs);
  }

  sendSocketEnvelope(
    body: SlackRequestBody,
    options: { timeoutMs?: number; retryAttempt?: number } = {},
  ): Promise<SocketEnvelopeResult> {
    return this.#sockets.send(body, options);
  }

  disconnectSockets(reason = 'refresh_requested'): void {
    this.#sockets.disconnectAll(reason);
  }

  userSays(input: { channel: string; user: string; text: string; threadTs?: string; mpim?: boolean }) {
    const stored = this.#workspace.userPost(input.channel, input.user, input.text, input.threadTs);
    const event = messageEvent(this.#envelopeContext(), stored, input.mpim);
    return { message: structuredClone(stored), payload: eventEnvelope(this.#envelopeContext(), event) };
  }

  userEdits(input: { channel: string; ts: string; text: string; mpim?: boolean }) {
    const stored = this.#workspace.findMessage(input.channel, input.ts);
    if (stored === undefined) throw new Error(`userEdits: no message ${input.ts} in ${input.channel}`);
    const previous = stored.text ?? '';
    const eventTs = this.#workspace.nextTs();
    stored.text = input.text;
    stored.edited = { user: stored.user, ts: eventTs };
    stored.history.push({ text: input.text });
    const event = messageChangedEvent(this.#envelopeContext(), stored, previous, eventTs, input.mpim);
    return { message: structuredClone(stored), payload: eventEnvelope(this.#envelopeContext(), event) };
  }

  somethingPosted(message: OtherMessage) {
    const context = this.#envelopeContext();
    const { event, stored } = otherMessageEvent(context, message, this.#workspace.nextTs());
    const kept = this.#workspace.otherPost(message.channel, event.ts as string, stored);
    return { message: structuredClone(kept), payload: eventEnvelope(context, event) };
  }

  threadReplies(channel: string, threadTs: string): FakeMessage[] {
    return this.messages(channel).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
  }

  #envelopeContext(): EnvelopeContext {
    const { teamId, appId, botUserId } = this.#workspace.config;
    return { teamId, appId, botUserId, nowSec: Math.floor(this.#workspace.now() / 1000) };
  }

  allTraffic(): string {
    return JSON.stringify({
      calls: this.calls.map(({ seq, method, token, args }) => ({ seq, method, token, args })),
      responseUrlPosts: this.responseUrlPosts.map(({ seq, id, body }) => ({ seq, id, body })),
      socketAcks: this.socketAcks.map(({ seq, envelopeId, payload }) => ({ seq, envelopeId, payload })),
    });
  }

  reset(): void {
    this.calls.length = 0;
    this.responseUrlPosts.length = 0;
    this.#sockets.reset();
    this.#failures.clear();
    this.#latency.clear();
    this.#workspace.reset();
    for (const [target, ms] of Object.entries(this.#baseLatency)) this.setLatency(target, ms);
  }

  async close(): Promise<void> {
    await this.#sockets.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.#url);
    const raw = await readBody(request);
    const apiMatch = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    if (apiMatch?.[1] !== undefined) {
      await this.#handleApi(apiMatch[1], request, raw, url.searchParams, response);
      return;
    }
    const responseMatch = /^\/response\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (responseMatch?.[1] !== undefined && request.method === 'POST') {
      await this.#handleResponseUrl(responseMatch[1], raw, response);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  }

  async #handleApi(
    method: string,
    request: IncomingMessage,
    raw: string,
    query: URLSearchParams,
    response: ServerResponse,
  ): Promise<void> {
    const at = this.#workspace.now();
    const parsed = parseApiArgs(request.headers['content-type'], raw, query);
    const token = tokenOf(request, parsed.args);
    const injected = this.#takeFailure(method);
    let status = 200;
    let answer: Json;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (injected !== undefined && 'status' in injected) {
      status = injected.status;
      answer = { ok: false, error: status === 429 ? 'ratelimited' : `http_${status}` };
      if (injected.retryAfter !== undefined) headers['retry-after'] = String(injected.retryAfter);
    } else if (injected !== undefined) {
      answer = { ok: false, error: injected.error };
    } else if (!parsed.ok) {
      answer = { ok: false, error: parsed.error };
    } else {
      answer = callMethod(this.#workspace, method, parsed.args, token, () =>
        this.#sockets.issueUrl(this.#url),
      );
    }
    const call: SlackCall = {
      seq: this.#nextSeq(),
      method,
      args: parsed.args,
      token,
      at,
      response: answer,
      status,
    };
    this.calls.push(call);
    this.#emit({ type: 'call', call });
    await this.#delay(method);
    response.writeHead(status, headers);
    // Slack's non-429 HTTP failures are not JSON; the WebClient then reports a WebAPIHTTPError.
    response.end(
      status === 200 || status === 429 ? JSON.stringify(answer) : `fake-slack injected HTTP ${status}`,
    );
  }

  async #handleResponseUrl(id: string, raw: string, response: ServerResponse): Promise<void> {
    const at = this.#workspace.now();
    const body = parseResponseBody(raw);
    const injected = this.#takeFailure('response_url');
    const answer =
      injected === undefined
        ? postToResponseUrl(this.#workspace, id, body)
        : 'status' in injected
          ? {
              status: injected.status,
              text: `fake-slack injected HTTP ${injected.status}`,
              contentType: 'text/plain',
            }
          : { status: 404, text: injected.error, contentType: 'text/plain' };
    const post: ResponseUrlPost = {
      seq: this.#nextSeq(),
      id,
      body: body ?? { _raw: raw },
      status: answer.status,
      at,
      response: answer.text,
    };
    this.responseUrlPosts.push(post);
    this.#emit({ type: 'response_url', post });
    await this.#delay('response_url');
    const headers: Record<string, string> = { 'content-type': answer.contentType };
    if (injected !== undefined && 'retryAfter' in injected && injected.retryAfter !== undefined) {
      headers['retry-after'] = String(injected.retryAfter);
    }
    response.writeHead(answer.status, headers);
    response.end(answer.text);
  }

  #takeFailure(target: string): InjectedFailure | undefined {
    const queue = this.#failures.get(target);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    return head.failure;
  }

  async #delay(target: string): Promise<void> {
    const ms = this.#latency.get(target);
    if (ms !== undefined) await sleep(ms);
  }

  #nextSeq(): number {
    this.#seq += 1;
    return this.#seq;
  }
}

/** Starts a fake Slack on an ephemeral loopback port. Close it in `afterAll`. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const fake = new FakeSlackServer(options);
  await fake.listen();
  return fake;
}
