import { checkMessage, checkView } from './block-kit-limits.js';
import { dmChannelId } from './defaults.js';
import { isObject, type Json, str } from './parse.js';
import { type FakeView, VIEW_STACK_MAX, type Workspace } from './workspace.js';

type Handler = (workspace: Workspace, args: Json) => Json;

const fail = (error: string, messages?: string[]): Json =>
  messages === undefined
    ? { ok: false, error }
    : {
        ok: false,
        error,
        errors: messages,
        response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) },
      };

function rejectMessage(args: Json): Json | null {
  const rejection = checkMessage(args);
  return rejection === null ? null : fail(rejection.error, rejection.messages);
}

function parseView(args: Json, expected: 'modal' | 'home' | 'any'): { view: Json } | { error: Json } {
  const view = args.view;
  if (!isObject(view)) return { error: fail('invalid_arguments', ['view is required [json-pointer:/view]']) };
  const problems = checkView(view);
  if (expected !== 'any' && view.type !== expected) {
    problems.push(`must be ${expected} for this method [json-pointer:/view/type]`);
  }
  return problems.length > 0 ? { error: fail('invalid_arguments', problems) } : { view };
}

function openOrPush(workspace: Workspace, args: Json, push: boolean): Json {
  const trigger = args.trigger_id ?? args.interactivity_pointer;
  const checked = workspace.checkTrigger(trigger);
  if (!checked.ok) return fail(checked.error);
  const parsed = parseView(args, 'modal');
  if ('error' in parsed) return parsed.error;
  workspace.useTrigger(trigger as string);
  const stack = push ? (workspace.stacks.get(checked.user) ?? []) : [];
  if (stack.length >= VIEW_STACK_MAX) return fail('push_limit_reached');
  const id = workspace.nextId('V');
  const root = stack[0] ?? id;
  const view: FakeView = {
    id,
    user: checked.user,
    view: structuredClone(parsed.view),
    hash: workspace.newHash(),
    type: 'modal',
    rootViewId: root,
    previousViewId: stack.at(-1) ?? null,
  };
  workspace.views.set(id, view);
  workspace.stacks.set(checked.user, [...stack, id]);
  return { ok: true, view: workspace.viewOutput(view) };
}

const methods: Record<string, Handler> = {
  'auth.test': (workspace) => {
    const { config } = workspace;
    return {
      ok: true,
      url: `https://${config.teamDomain}.slack.com/`,
      team: config.teamName,
      user: 'keyhouse',
      team_id: config.teamId,
      user_id: config.botUserId,
      bot_id: config.botId,
      is_enterprise_install: false,
    };
  },

  'chat.postMessage': (workspace, args) => {
    const channel = str(args.channel);
    if (channel === undefined) return fail('channel_not_found');
    const rejected = rejectMessage(args);
    if (rejected !== null) return rejected;
    const message = workspace.post(workspace.resolveChannel(channel), args);
    return { ok: true, channel: message.channel, ts: message.ts, message: workspace.messageOutput(message) };
  },

  'chat.update': (workspace, args) => {
    const channel = str(args.channel);
    const ts = str(args.ts);
    if (channel === undefined) return fail('channel_not_found');
    // Ephemeral `message_ts`s are not stored here, so updating one fails as it does on Slack.
    const message = ts === undefined ? undefined : workspace.findMessage(channel, ts);
    if (message === undefined) return fail('message_not_found');
    const rejected = rejectMessage(args);
    if (rejected !== null) return rejected;
    workspace.update(message, args);
    return {
      ok: true,
      channel,
      ts: message.ts,
      text: message.text ?? '',
      message: workspace.messageOutput(message),
    };
  },

  'chat.postEphemeral': (workspace, args) => {
    const channel = str(args.channel);
    const user = str(args.user);
    if (channel === undefined) return fail('channel_not_found');
    if (user === undefined || !workspace.userExists(user)) return fail('user_not_found');
    const rejected = rejectMessage(args);
    if (rejected !== null) return rejected;
    const ts = workspace.nextTs();
    workspace.ephemerals.push({ ts, channel, user, body: structuredClone(args), via: 'chat.postEphemeral' });
    return { ok: true, message_ts: ts };
  },

  'chat.delete': (workspace, args) => {
    const channel = str(args.channel);
    const ts = str(args.ts);
    if (channel === undefined) return fail('channel_not_found');
    const message = ts === undefined ? undefined : workspace.findMessage(channel, ts);
    if (message === undefined) return fail('message_not_found');
    workspace.delete(message);
    return { ok: true, channel, ts: message.ts };
  },

  'conversations.open': (workspace, args) => {
    const existing = str(args.channel);
    if (existing !== undefined) return { ok: true, channel: { id: existing } };
    const users = (str(args.users) ?? '')
      .split(',')
      .map((user) => user.trim())
      .filter((user) => user.length > 0);
    if (users.length === 0) return fail('users_list_not_supplied');
    if (users.length > 8) return fail('too_many_users');
    const unknown = users.find((user) => !workspace.userExists(user));
    if (unknown !== undefined) return fail('user_not_found');
    const [only] = users;
    const id = users.length === 1 && only !== undefined ? dmChannelId(only) : workspace.mpimId(users);
    const alreadyOpen = workspace.openedDms.has(id);
    workspace.openedDms.add(id);
    return {
      ok: true,
      no_op: alreadyOpen,
      already_open: alreadyOpen,
      channel: users.length === 1 ? { id, is_im: true, user: only } : { id, is_mpim: true },
    };
  },

  'usergroups.users.list': (workspace, args) => {
    const group = str(args.usergroup);
    const members = group === undefined ? undefined : workspace.config.usergroups[group];
    if (members === undefined) return fail('no_such_subteam');
    return { ok: true, users: [...members] };
  },

  'users.info': (workspace, args) => {
    const id = str(args.user);
    if (id === undefined || !workspace.userExists(id)) return fail('user_not_found');
    // Form bodies carry `true` as text; Slack reads both.
    const includeLocale = args.include_locale === true || args.include_locale === 'true';
    return { ok: true, user: workspace.userObject(id, { includeLocale }) };
  },

  'views.open': (workspace, args) => openOrPush(workspace, args, false),
  'views.push': (workspace, args) => openOrPush(workspace, args, true),

  'views.update': (workspace, args) => {
    const viewId = str(args.view_id);
    const externalId = str(args.external_id);
    if (viewId === undefined && externalId === undefined) {
      return fail('invalid_arguments', ['view_id or external_id is required']);
    }
    const current =
      viewId !== undefined
        ? workspace.views.get(viewId)
        : [...workspace.views.values()].find((view) => view.view.external_id === externalId);
    if (current === undefined) return fail('not_found');
    const hash = str(args.hash);
    if (hash !== undefined && hash !== current.hash) return fail('hash_conflict');
    const parsed = parseView(args, current.type);
    if ('error' in parsed) return parsed.error;
    current.view = structuredClone(parsed.view);
    current.hash = workspace.newHash();
    return { ok: true, view: workspace.viewOutput(current) };
  },

  'views.publish': (workspace, args) => {
    const user = str(args.user_id);
    if (user === undefined || !workspace.userExists(user)) return fail('user_not_found');
    const parsed = parseView(args, 'home');
    if ('error' in parsed) return parsed.error;
    const existingId = workspace.homes.get(user);
    const existing = existingId === undefined ? undefined : workspace.views.get(existingId);
    const hash = str(args.hash);
    if (existing !== undefined && hash !== undefined && hash !== existing.hash) return fail('hash_conflict');
    const id = existing?.id ?? workspace.nextId('V');
    const view: FakeView = {
      id,
      user,
      view: structuredClone(parsed.view),
      hash: workspace.newHash(),
      type: 'home',
      rootViewId: id,
      previousViewId: null,
    };
    workspace.views.set(id, view);
    workspace.homes.set(user, id);
    return { ok: true, view: workspace.viewOutput(view) };
  },
};

/** Which token a method takes: Socket Mode's connection call needs the app-level token, the rest the bot's. */
function tokenKindFor(method: string): 'bot' | 'app' {
  return method === 'apps.connections.open' ? 'app' : 'bot';
}

/**
 * Answers one Web API call the way Slack would: unknown method, then authentication, then the method.
 * `socketUrl` makes what `apps.connections.open` hands out.
 */
export function callMethod(
  workspace: Workspace,
  method: string,
  args: Json,
  token: string | null,
  socketUrl: () => string,
): Json {
  const known = method in methods || method === 'apps.connections.open';
  if (!known) return { ok: false, error: 'unknown_method', req_method: method };
  if (token === null) return fail('not_authed');
  const { botToken, appToken } = workspace.config;
  const kind = token === botToken ? 'bot' : token === appToken ? 'app' : null;
  if (kind === null) return fail('invalid_auth');
  if (kind !== tokenKindFor(method)) return fail('not_allowed_token_type');
  if (method === 'apps.connections.open') return { ok: true, url: socketUrl() };
  const handler = methods[method];
  return handler === undefined ? fail('unknown_method') : handler(workspace, args);
}
