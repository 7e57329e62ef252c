import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../src/core/clock.js';
import { dmChannelId } from './defaults.js';
import type { OtherMessageContent } from './message-kinds.js';
import type { Json } from './parse.js';

/** The offset Slack reports in `users.info` (`tz_offset`, seconds east of UTC) for an IANA zone, now. */
function tzOffsetSeconds(timeZone: string, at: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (match === null) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60;
  return match[1] === '-' ? -seconds : seconds;
}

/** A non-ephemeral message as it currently stands in the fake workspace. */
export interface FakeMessage {
  channel: string;
  ts: string;
  /** Set on thread replies: the parent's `ts`. */
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  user: string;
  /** Set on the app's own messages; absent on a person's (`userPost`). */
  bot_id?: string;
  edited?: { user: string; ts: string };
  /** Every body the message has had, oldest first: the post, then each `chat.update` or replacement. */
  history: Json[];
}

export interface FakeEphemeral {
  /** The `message_ts` Slack gives an ephemeral message; a response URL bound to it can replace or delete it. */
  ts: string;
  channel: string;
  user: string;
  body: Json;
  /** `ack`: carried by a slash command's acknowledgement (see `FakeSlack.showEphemeral`). */
  via: 'chat.postEphemeral' | 'response_url' | 'ack';
}

export interface FakeView {
  id: string;
  /** The user the modal was opened for (from the trigger id) or whose Home tab it is; '' when unknown. */
  user: string;
  /** The view exactly as the app sent it last. */
  view: Json;
  hash: string;
  type: 'modal' | 'home';
  rootViewId: string;
  previousViewId: string | null;
}

export interface UserProfile {
  name?: string;
  tz?: string;
  /** The language the person chose in Slack (`ko-KR`); `users.info` gives it with `include_locale`. Default `en-US`. */
  locale?: string;
  deleted?: boolean;
}

export interface WorkspaceConfig {
  botUserId: string;
  botId: string;
  teamId: string;
  teamDomain: string;
  teamName: string;
  appId: string;
  botToken: string;
  appToken: string;
  usergroups: Record<string, string[]>;
  users: Record<string, UserProfile> | undefined;
  clock: Clock;
}

interface Trigger {
  user: string;
  issuedAt: number;
  used: boolean;
}

export interface ResponseUrlState {
  id: string;
  issuedAt: number;
  uses: number;
  channel: string;
  user: string;
  messageTs: string | undefined;
  /** Set when the interaction came from an ephemeral message: `replace_original` / `delete_original` act on it. */
  ephemeralTs: string | undefined;
}

/** Where an interaction came from, so its response URL acts on that message. */
export interface ResponseUrlBinding {
  channel?: string;
  user?: string;
  messageTs?: string;
  /** An ephemeral message's `ts` (see `FakeEphemeral.ts`); Slack scopes it to `user`. */
  ephemeralTs?: string;
}

/** Slack's documented limits on interaction handles (slack-platform.md §2). */
export const TRIGGER_TTL_MS = 3000;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
export const RESPONSE_URL_MAX_USES = 5;
export const VIEW_STACK_MAX = 3;

/** The fake workspace's state: messages, views, interaction handles, ids. No HTTP here. */
export class Workspace {
  readonly config: WorkspaceConfig;
  readonly channels = new Map<string, FakeMessage[]>();
  readonly ephemerals: FakeEphemeral[] = [];
  readonly views = new Map<string, FakeView>();
  readonly homes = new Map<string, string>();
  readonly stacks = new Map<string, string[]>();
  readonly openedDms = new Set<string>();
  readonly triggers = new Map<string, Trigger>();
  readonly responseUrls = new Map<string, ResponseUrlState>();
  #lastMicros = 0;
  #counter = 0;
  /** Users an admin deactivated since start (`users.info` answers `deleted: true`). */
  readonly deactivated = new Set<string>();
  /** Language and time zone people changed since start, over their configured profile. */
  readonly preferences = new Map<string, { locale?: string; tz?: string }>();

  constructor(config: WorkspaceConfig) {
    this.config = config;
  }

  now(): number {
    return this.config.clock.now().getTime();
  }

  reset(): void {
    this.deactivated.clear();
    this.preferences.clear();
    this.channels.clear();
    this.ephemerals.length = 0;
    this.views.clear();
    this.homes.clear();
    this.stacks.clear();
    this.openedDms.clear();
    this.triggers.clear();
    this.responseUrls.clear();
  }

  /** A message timestamp from the clock, strictly increasing so every ts is unique (`1700000000.000100`). */
  nextTs(): string {
    const micros = Math.max(this.now() * 1000, this.#lastMicros + 1);
    this.#lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.#counter += 1;
    return `${prefix}${this.#counter.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  /** `chat.postMessage` accepts a user ID as the channel and posts in the app's DM with that user. */
  resolveChannel(channel: string): string {
    return /^[UW][A-Z0-9]+$/.test(channel) ? dmChannelId(channel) : channel;
  }

  mpimId(users: string[]): string {
    const digest = createHash('sha256')
      .update([...users].sort().join(','))
      .digest('hex');
    return `G${digest.slice(0, 10).toUpperCase()}`;
  }

  userExists(user: string): boolean {
    if (user === this.config.botUserId) return true;
    const { users, usergroups } = this.config;
    if (users === undefined) return /^[UW][A-Z0-9]+$/.test(user);
    return user in users || Object.values(usergroups).some((members) => members.includes(user));
  }

  /**
   * The user object Slack gives for a person (`users.info`, a `user_change` event); `locale` only
   * when asked for (`include_locale`), as Slack does.
   */
  userObject(id: string, options: { includeLocale: boolean }): Json {
    const { config } = this;
    const profile = { ...config.users?.[id], ...this.preferences.get(id) };
    const isBot = id === config.botUserId;
    const name = profile.name ?? (isBot ? 'keyhouse' : id.toLowerCase());
    const tz = profile.tz ?? 'UTC';
    return {
      id,
      team_id: config.teamId,
      name,
      deleted: profile.deleted === true || this.deactivated.has(id),
      real_name: name,
      tz,
      tz_label: tz,
      tz_offset: tzOffsetSeconds(tz, config.clock.now()),
      is_bot: isBot,
      is_app_user: false,
      ...(options.includeLocale ? { locale: profile.locale ?? 'en-US' } : {}),
      profile: { real_name: name, display_name: name, ...(isBot ? { bot_id: config.botId } : {}) },
    };
  }

  channelMessages(channel: string): FakeMessage[] {
    let list = this.channels.get(channel);
    if (list === undefined) {
      list = [];
      this.channels.set(channel, list);
    }
    return list;
  }

  findMessage(channel: string, ts: string): FakeMessage | undefined {
    return this.channels.get(channel)?.find((message) => message.ts === ts);
  }

  post(channel: string, body: Json): FakeMessage {
    const threadTs =
      typeof body.thread_ts === 'string' && body.thread_ts.length > 0 ? body.thread_ts : undefined;
    const message: FakeMessage = {
      channel,
      ts: this.nextTs(),
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      ...messageContent(body),
      user: this.config.botUserId,
      bot_id: this.config.botId,
      history: [structuredClone(body)],
    };
    this.channelMessages(channel).push(message);
    return message;
  }

  /** A message a person typed (not the app): no `bot_id`, in `channel` or a thread of it. */
  userPost(channel: string, user: string, text: string, threadTs?: string): FakeMessage {
    const message: FakeMessage = {
      channel,
      ts: this.nextTs(),
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      text,
      user,
      history: [{ text }],
    };
    this.channelMessages(channel).push(message);
    return message;
  }

  /** A message neither the app nor a person typed (a bot's, a forward, a topic change), kept as posted. */
  otherPost(channel: string, ts: string, content: OtherMessageContent): FakeMessage {
    const { user, bot_id, ...body } = content;
    const message: FakeMessage = {
      channel,
      ts,
      ...body,
      user: user ?? bot_id ?? '',
      ...(bot_id === undefined ? {} : { bot_id }),
      history: [structuredClone(body)],
    };
    this.channelMessages(channel).push(message);
    return message;
  }

  /** `chat.update` semantics: fields left out (blocks, attachments) keep their old value. */
  update(message: FakeMessage, body: Json): void {
    const content = messageContent(body);
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) message.blocks = content.blocks;
    if (content.attachments !== undefined) message.attachments = content.attachments;
    if (content.metadata !== undefined) message.metadata = content.metadata;
    message.edited = { user: this.config.botUserId, ts: this.nextTs() };
    message.history.push(structuredClone(body));
  }

  /** The ephemeral message `ts` shown to `user`, if it is still on their screen. */
  findEphemeral(user: string, ts: string): FakeEphemeral | undefined {
    return this.ephemerals.find((e) => e.ts === ts && e.user === user);
  }

  delete(message: FakeMessage): void {
    const list = this.channels.get(message.channel);
    if (list !== undefined) list.splice(list.indexOf(message), 1);
  }

  /** The message as Slack echoes it in `chat.postMessage` / `chat.update` answers. */
  messageOutput(message: FakeMessage): Json {
    const { history: _history, channel: _channel, ...rest } = message;
    return {
      type: 'message',
      ...rest,
      app_id: this.config.appId,
      team: this.config.teamId,
      bot_profile: {
        id: this.config.botId,
        app_id: this.config.appId,
        name: 'keyhouse',
        team_id: this.config.teamId,
      },
    };
  }

  issueTrigger(user: string): string {
    const now = this.now();
    const id = `${this.#counter + 1}.${Math.floor(now / 1000)}.${randomBytes(16).toString('hex')}`;
    this.#counter += 1;
    this.triggers.set(id, { user, issuedAt: now, used: false });
    return id;
  }

  /** Checks a trigger id; the error is Slack's for `views.open` / `views.push`. Does not use it up. */
  checkTrigger(id: unknown): { ok: true; user: string } | { ok: false; error: string } {
    const trigger = typeof id === 'string' ? this.triggers.get(id) : undefined;
    if (trigger === undefined) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (this.now() - trigger.issuedAt > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    return { ok: true, user: trigger.user };
  }

  /** Uses up a trigger id that `checkTrigger` accepted (only once the view itself was valid). */
  useTrigger(id: string): void {
    const trigger = this.triggers.get(id);
    if (trigger !== undefined) trigger.used = true;
  }

  issueResponseUrl(bind: ResponseUrlBinding): string {
    const id = `${this.nextId('R')}-${randomBytes(8).toString('hex')}`;
    this.responseUrls.set(id, {
      id,
      issuedAt: this.now(),
      uses: 0,
      channel: bind.channel ?? '',
      user: bind.user ?? '',
      messageTs: bind.messageTs,
      ephemeralTs: bind.ephemeralTs,
    });
    return id;
  }

  newHash(): string {
    return `${Math.floor(this.now() / 1000)}.${this.nextId('')}`;
  }

  /** A view as Slack returns it from `views.*` (shape of Bolt's `ViewOutput`). */
  viewOutput(view: FakeView): Json {
    const sent = view.view;
    return {
      id: view.id,
      team_id: this.config.teamId,
      type: view.type,
      blocks: sent.blocks ?? [],
      private_metadata: sent.private_metadata ?? '',
      callback_id: sent.callback_id ?? '',
      state: { values: {} },
      hash: view.hash,
      title: sent.title ?? { type: 'plain_text', text: 'View Title' },
      close: sent.close ?? null,
      submit: sent.submit ?? null,
      clear_on_close: sent.clear_on_close === true,
      notify_on_close: sent.notify_on_close === true,
      previous_view_id: view.previousViewId,
      root_view_id: view.rootViewId,
      app_id: this.config.appId,
      external_id: sent.external_id ?? '',
      app_installed_team_id: this.config.teamId,
      bot_id: this.config.botId,
    };
  }
}

function messageContent(body: Json): Pick<FakeMessage, 'text' | 'blocks' | 'attachments' | 'metadata'> {
  const content: Pick<FakeMessage, 'text' | 'blocks' | 'attachments' | 'metadata'> = {};
  if (typeof body.text === 'string') content.text = body.text;
  if (Array.isArray(body.blocks)) content.blocks = structuredClone(body.blocks);
  if (Array.isArray(body.attachments)) content.attachments = structuredClone(body.attachments);
  if (body.metadata !== undefined) content.metadata = structuredClone(body.metadata);
  return content;
}
