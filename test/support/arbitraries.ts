/**
 * fast-check arbitraries for hostile Slack traffic: text no form should contain, user ids that
 * look like someone else's, button values naming other people's requests and keys, and whole
 * payloads (slash commands, block actions, view submissions, events, plain garbage) built from
 * them. Every payload is aimed so that acting on it would be wrong: its sender is Eve (no role) or
 * Alice (a requester) aiming at what is not hers, never someone entitled to act.
 */
import fc from 'fast-check';
import { ACTION, BLOCK, CALLBACK, expiryBlockId, KEY_VERBS, keyBlockId } from '../../src/views/ids.js';
import {
  type AbuseWorld,
  ACTORS,
  allRequestIds,
  COMMAND,
  commandBody,
  ENTITLED,
  eventBody,
  HANDLED_ACTIONS,
  interactionBody,
  type RawBody,
  rawBody,
} from './abuse.js';
import { SLACK_TEST_DEFAULTS } from './slack-payloads.js';

/** The test policy's roles and the expiries it offers (test/support/keyhouse.ts `testPolicy`). */
const ROLE_IDS = ['developer', 'admin', 'query-endpoints'];
const EXPIRIES = ['1d', '7d', '30d', '90d', '180d', '365d', 'never'];
const DEFAULT_KEY_NAME = /^[A-Za-z0-9 _.-]{1,64}$/;

/** Words a parser may treat specially: commands, object keys, markup, paths, format strings. */
export const SPICY_WORDS: readonly string[] = [
  '',
  ' ',
  'list',
  'list all',
  'list mine',
  'list all all',
  'list constructor',
  'list __proto__',
  'LIST ALL',
  'request',
  'help',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '<!channel>',
  '<!here>',
  '<@U0ADMIN>',
  '*bold* _it_ ~s~ `code`',
  // A template placeholder, verbatim: it must stay text.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is the hostile input
  '${process.env.SLACK_SIGNING_SECRET}',
  '%s%s%n',
  '../../x',
  'disable:../../x',
  '{"kind":"home"}',
  '\u0000',
  '\u202Elist\u202C',
  'li\u200Bst',
  '\uFEFFhelp',
  '🔑🙂👩‍👩‍👧',
  'مرحبا',
  '\r\nlist\r\n',
  '\ud800',
];

/** Anything a text field could carry: spicy words, arbitrary unicode (NUL and lone surrogates too), up to ~40 kB. */
export function hostileText(options: { hugeUpTo?: number } = {}): fc.Arbitrary<string> {
  const hugeUpTo = options.hugeUpTo ?? 40_000;
  const huge = fc
    .tuple(
      fc.constantFrom('x', '🙂', '\u202E', '\u0000', 'list ', 'a-'),
      fc.integer({ min: Math.min(1_000, hugeUpTo), max: hugeUpTo }),
    )
    .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));
  return fc.oneof(
    { arbitrary: fc.constantFrom(...SPICY_WORDS), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }), weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...SPICY_WORDS), fc.string({ unit: 'binary', maxLength: 20 }))
        .map(([a, b]) => `${a} ${b}`),
      weight: 2,
    },
    { arbitrary: huge, weight: 1 },
  );
}

/** User ids that resemble entitled ones without being them (case, spaces, zero-width, other kinds). */
export function oddUserId(): fc.Arbitrary<string> {
  const near = fc
    .tuple(
      fc.constantFrom(...ENTITLED),
      fc.constantFrom(
        (id: string) => id.toLowerCase(),
        (id: string) => ` ${id}`,
        (id: string) => `${id} `,
        (id: string) => `${id}\u200B`,
        (id: string) => `${id}\u0000`,
        (id: string) => `W${id.slice(1)}`,
        (id: string) => `S${id.slice(1)}`,
        (id: string) => `<@${id}>`,
        (id: string) => `${id},${id}`,
      ),
    )
    .map(([id, twist]) => twist(id));
  return fc
    .oneof(
      near,
      fc.constantFrom('*', '', 'U0NOBODY', 'USLACKBOT', 'U0KEYHOUSEBOT'),
      hostileText({ hugeUpTo: 2_000 }),
    )
    .filter((id) => !ENTITLED.includes(id));
}

/** The `user.id` (or `user_id`) of a hostile sender: Eve, Alice, an odd id, or not a string at all. */
export function actorId(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(ACTORS.eve, ACTORS.alice), weight: 4 },
    { arbitrary: oddUserId(), weight: 2 },
    { arbitrary: fc.constantFrom(42, -1, 0, null, true, [], {}, [ACTORS.eve]), weight: 1 },
  );
}

/** A string actor, for fields Slack always sends as text (slash command forms). */
export function actorText(): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: fc.constantFrom(ACTORS.eve, ACTORS.alice), weight: 3 }, oddUserId());
}

/** Ids from the world a hostile click may name: every request, and keys that are not Alice's. */
export function worldIds(world: AbuseWorld): fc.Arbitrary<string> {
  return fc.constantFrom(...allRequestIds(world), ...world.foreignKeyIds);
}

/** A button value or id: real ids of others' things, twisted ids, random UUIDs, garbage, non-strings. */
export function idLike(world: AbuseWorld): fc.Arbitrary<unknown> {
  const twisted = fc
    .tuple(
      worldIds(world),
      fc.constantFrom(
        (id: string) => id.toUpperCase(),
        (id: string) => ` ${id} `,
        (id: string) => `${id}\u0000`,
        (id: string) => `${id}x`,
        (id: string) => id.slice(1),
        (id: string) => `../${id}`,
        (id: string) => JSON.stringify({ id }),
      ),
    )
    .map(([id, twist]) => twist(id));
  return fc.oneof(
    { arbitrary: worldIds(world), weight: 6 },
    { arbitrary: twisted, weight: 2 },
    { arbitrary: fc.uuid(), weight: 1 },
    { arbitrary: hostileText({ hugeUpTo: 5_000 }), weight: 2 },
    { arbitrary: fc.constantFrom(42, null, true, [], {}, { id: ACTORS.eve }), weight: 1 },
  );
}

/** An overflow option value `<verb>:<key>` with odd verbs and keys, or anything else. */
export function menuValue(world: AbuseWorld): fc.Arbitrary<unknown> {
  const verb = fc.oneof(
    { arbitrary: fc.constantFrom(...KEY_VERBS), weight: 4 },
    fc.constantFrom('DELETE', 'Disable', 'drop', 'rotate', '', 'delete '),
  );
  const target = fc.oneof(
    { arbitrary: fc.constantFrom(...world.foreignKeyIds), weight: 5 },
    { arbitrary: fc.constantFrom(...world.foreignKeyIds).map((id) => id.toUpperCase()), weight: 1 },
    { arbitrary: fc.uuid(), weight: 1 },
    { arbitrary: fc.constantFrom('../../x', '*', '', ' ', '%00', allRequestIds(world)[0] ?? ''), weight: 1 },
  );
  return fc.oneof(
    { arbitrary: fc.tuple(verb, target).map(([v, t]) => `${v}:${t}`), weight: 4 },
    { arbitrary: idLike(world), weight: 1 },
  );
}

/** `private_metadata` of a key dialog: crafted contexts aimed at others' keys, stale request ids, garbage. */
export function dialogContext(world: AbuseWorld, responseUrl: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const surface = fc.oneof(
    fc.constant({ kind: 'home' }),
    fc.record({
      kind: fc.constant('list'),
      responseUrl,
      scope: fc.constantFrom('mine', 'all', 'everyone'),
      page: fc.oneof(fc.nat({ max: 5 }), fc.constantFrom(-1, 1e9, 0.5)),
    }),
    fc.constantFrom(null, 'home', { kind: 'list' }),
  );
  const crafted = fc
    .record({ keyId: fc.oneof(fc.constantFrom(...world.foreignKeyIds), fc.uuid(), idLike(world)), surface })
    .map((context) => JSON.stringify(context));
  return fc.oneof(
    { arbitrary: crafted, weight: 4 },
    { arbitrary: worldIds(world), weight: 2 },
    { arbitrary: hostileText(), weight: 2 },
    { arbitrary: fc.constantFrom('{', '[]', 'null', '{"__proto__":{"kind":"home"}}', 42, null), weight: 1 },
  );
}

/** A response URL: a real one of the fake Slack (minted per payload), garbage, or a closed loopback port. */
export function responseUrl(mint: () => string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(null).map(() => mint()), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        'not a url',
        'javascript:alert(1)',
        'http://127.0.0.1:9/closed',
        'file:///etc/passwd',
      ),
      weight: 1,
    },
  );
}

// --- slash commands -------------------------------------------------------------------------------

/**
 * `/chkey` with hostile text and fields, as a form Slack would post (the command name right, so a
 * listener must answer it): words the parser may trip on, huge or binary text, fields missing,
 * repeated or of the wrong kind.
 */
export function hostileCommand(
  mintResponseUrl: () => string,
  mintTrigger: () => string,
): fc.Arbitrary<RawBody> {
  const text = fc.oneof(
    hostileText(),
    fc
      .tuple(fc.constantFrom('list', 'list all', 'help', 'request', ''), hostileText({ hugeUpTo: 2_000 }))
      .map(([verb, rest]) => `${verb} ${rest}`),
  );
  const optionalField = <T>(arbitrary: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: arbitrary.map((v) => ({ value: v })), weight: 6 }, fc.constant(null));
  return fc
    .record({
      text: fc.oneof(
        { arbitrary: optionalField(text), weight: 8 },
        { arbitrary: fc.tuple(text, text).map(([a, b]) => ({ value: [a, b] })), weight: 1 },
      ),
      userId: optionalField(actorText()),
      responseUrl: optionalField(responseUrl(mintResponseUrl)),
      triggerId: optionalField(
        fc.oneof(
          fc.constant(null).map(() => mintTrigger()),
          hostileText({ hugeUpTo: 500 }),
        ),
      ),
      channelId: optionalField(fc.oneof(fc.constant('C0GENERAL'), hostileText({ hugeUpTo: 500 }))),
      extra: fc.dictionary(
        fc.constantFrom('__proto__', 'constructor', 'payload_', 'ssl_check_', 'x'),
        hostileText(),
        {
          maxKeys: 2,
        },
      ),
    })
    .map((f) => {
      // The team stays the workspace's own: a hostile team id is an envelope problem (see garbageBody).
      const fields: Record<string, string | string[]> = {
        token: SLACK_TEST_DEFAULTS.verificationToken,
        team_id: SLACK_TEST_DEFAULTS.teamId,
        api_app_id: SLACK_TEST_DEFAULTS.appId,
        command: COMMAND,
        user_name: 'someone',
      };
      const put = (name: string, field: { value: string | string[] } | null) => {
        if (field) fields[name] = field.value;
      };
      put('text', f.text);
      put('user_id', f.userId);
      put('response_url', f.responseUrl);
      put('trigger_id', f.triggerId);
      put('channel_id', f.channelId);
      for (const [name, value] of Object.entries(f.extra)) fields[name] = value;
      return commandBody(fields, 'slash command');
    });
}

// --- block actions ---------------------------------------------------------------------------------

function userObject(): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    {
      arbitrary: actorId().map((id) => ({ id, username: 'someone', team_id: SLACK_TEST_DEFAULTS.teamId })),
      weight: 8,
    },
    { arbitrary: fc.constant({}), weight: 1 },
    { arbitrary: fc.constant({ name: ACTORS.eve }), weight: 1 },
  );
}

/** What a click on `actionId` carries where a legitimate click carries an id, a page or a choice. */
function actionFields(world: AbuseWorld, actionId: string): fc.Arbitrary<Record<string, unknown>> {
  const option = (value: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { arbitrary: value.map((v) => ({ value: v, text: { type: 'plain_text', text: 'x' } })), weight: 5 },
      { arbitrary: fc.constantFrom(null, {}, { value: null }, 'disable'), weight: 1 },
    );
  const role = fc.oneof(fc.constantFrom(...ROLE_IDS, 'keep'), hostileText({ hugeUpTo: 500 }));
  switch (actionId) {
    case ACTION.keyMenu:
      return fc.record({ type: fc.constant('overflow'), selected_option: option(menuValue(world)) });
    case ACTION.listPage: {
      const page = fc.oneof(
        fc.constantFrom(
          'mine:0',
          'all:0',
          'all:1',
          'mine:9999',
          'all:-1',
          'mine:1e3',
          'everyone:0',
          'all:0 ',
        ),
        idLike(world),
      );
      return fc.record({ type: fc.constant('button'), value: page });
    }
    case ACTION.roleSelect:
    case ACTION.editRole:
      return fc.record({ type: fc.constant('static_select'), selected_option: option(role) });
    default:
      return fc.record(
        { type: fc.constantFrom('button', 'overflow', 42), value: idLike(world) },
        { requiredKeys: [] },
      );
  }
}

/**
 * A click on one of Keyhouse's own elements (the action id is one it listens for), carrying what
 * no legitimate click would: others' request and key ids, crafted overflow values and pages, odd
 * block ids, modal contexts aimed at others' keys, values of the wrong type, a bogus response URL.
 */
export function hostileBlockAction(
  world: AbuseWorld,
  mintResponseUrl: () => string,
  mintTrigger: () => string,
): fc.Arbitrary<RawBody> {
  const url = responseUrl(mintResponseUrl);
  const blockId = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('mine', 'all', 'x', ''),
        fc.oneof(fc.nat({ max: 3 }), fc.constantFrom(-1, 99999)),
        fc.oneof(fc.constantFrom(...world.foreignKeyIds), fc.uuid()),
      )
      .map(([scope, page, id]) => keyBlockId(scope, page, id)),
    fc.constantFrom(...Object.values(BLOCK)),
    hostileText({ hugeUpTo: 2_000 }),
  );
  // Where the element was: a message (with a response URL, as Slack always sends) or a modal / Home tab.
  const message = fc.record({
    responseUrl: url,
    channel: fc.oneof(fc.constantFrom('C0GENERAL', 'DU0EVE', 'C0APPROVALS'), hostileText({ hugeUpTo: 200 })),
  });
  const view = fc.record(
    {
      id: fc.constantFrom('V0NOSUCHVIEW', ''),
      hash: hostileText({ hugeUpTo: 200 }),
      type: fc.constantFrom('modal', 'home'),
      callback_id: fc.constantFrom(...Object.values(CALLBACK), 'x'),
      private_metadata: dialogContext(world, url),
      state: fc.constantFrom({ values: {} }, { values: null }, {}),
    },
    { requiredKeys: ['type', 'private_metadata'] },
  );
  return fc
    .constantFrom(...HANDLED_ACTIONS)
    .chain((actionId) =>
      fc.record(
        {
          actionId: fc.constant(actionId),
          fields: actionFields(world, actionId),
          blockId,
          user: userObject(),
          triggerId: fc.oneof(
            fc.constant(null).map(() => mintTrigger()),
            hostileText({ hugeUpTo: 200 }),
          ),
          where: fc.oneof(
            { arbitrary: message.map((m) => ({ message: m })), weight: 3 },
            view.map((v) => ({ view: v })),
          ),
          secondAction: fc.constantFrom(ACTION.approve, ACTION.createKey, 'x'),
        },
        { requiredKeys: ['actionId', 'fields', 'user', 'where'] },
      ),
    )
    .map((f) => {
      const action: Record<string, unknown> = {
        action_id: f.actionId,
        action_ts: '1700000000.000001',
        ...f.fields,
      };
      if ('blockId' in f) action.block_id = f.blockId;
      const payload: Record<string, unknown> = {
        type: 'block_actions',
        user: f.user,
        api_app_id: SLACK_TEST_DEFAULTS.appId,
        token: SLACK_TEST_DEFAULTS.verificationToken,
        team: { id: SLACK_TEST_DEFAULTS.teamId, domain: SLACK_TEST_DEFAULTS.teamDomain },
        actions: 'secondAction' in f ? [action, { ...action, action_id: f.secondAction }] : [action],
      };
      if ('triggerId' in f) payload.trigger_id = f.triggerId;
      if ('view' in f.where) {
        payload.view = f.where.view;
        payload.container = { type: 'view', view_id: f.where.view.id };
      } else {
        const { responseUrl: responseUrlValue, channel } = f.where.message;
        payload.response_url = responseUrlValue;
        payload.channel = { id: channel, name: 'channel' };
        payload.container = { type: 'message', channel_id: channel, message_ts: '1700000000.000100' };
        payload.message = { type: 'message', ts: '1700000000.000100', text: '', blocks: [] };
      }
      return interactionBody(payload, `block_actions ${f.actionId}`);
    });
}

// --- view submissions ------------------------------------------------------------------------------

/** A `view.state.values` entry shaped as Slack sends it, or not. */
function stateEntry(value: fc.Arbitrary<unknown>, kind: 'input' | 'select'): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      arbitrary: value.map((v) =>
        kind === 'input'
          ? { type: 'plain_text_input', value: v }
          : { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'x' }, value: v } },
      ),
      weight: 6,
    },
    { arbitrary: value.map((v) => ({ type: 'static_select', selected_option: v })), weight: 1 },
    { arbitrary: fc.constantFrom(null, 42, 'x', [], {}), weight: 1 },
  );
}

/**
 * The request modal's values with at least one field that can never pass (a name outside the
 * default pattern, an unknown role, an expiry no role offers, a reason under 10 characters), so
 * that no submission of it is a legitimate request whoever sends it; the other fields anything.
 */
function brokenRequestValues(): fc.Arbitrary<Record<string, unknown>> {
  const name = fc.oneof(fc.constantFrom('etl-reader', 'x'), hostileText());
  const badName = hostileText().filter((n) => !DEFAULT_KEY_NAME.test(n.trim()));
  const role = fc.oneof(fc.constantFrom(...ROLE_IDS), hostileText({ hugeUpTo: 500 }));
  const badRole = hostileText({ hugeUpTo: 500 }).filter((r) => !ROLE_IDS.includes(r));
  const expiry = fc.oneof(fc.constantFrom(...EXPIRIES), hostileText({ hugeUpTo: 500 }));
  const badExpiry = hostileText({ hugeUpTo: 500 }).filter((e) => !EXPIRIES.includes(e));
  const reason = fc.oneof(fc.constant('Reads the events table nightly'), hostileText());
  const badReason = fc.string({ unit: 'grapheme-ascii', maxLength: 9 });
  return fc
    .record({
      broken: fc.constantFrom('keyName', 'roleId', 'expiry', 'reason'),
      keyName: name,
      badKeyName: badName,
      roleId: role,
      badRoleId: badRole,
      expiry,
      badExpiry,
      reason,
      badReason,
      ipList: fc.oneof(fc.constantFrom('', '10.0.0.0/8 office', '0.0.0.0/0'), hostileText()),
      expiryBlock: fc.oneof(fc.constant(null), hostileText({ hugeUpTo: 100 })),
    })
    .chain((f) => {
      const pick = <T>(field: string, good: T, bad: T) => (f.broken === field ? bad : good);
      const keyName = pick<unknown>('keyName', f.keyName, f.badKeyName);
      const roleId = pick<unknown>('roleId', f.roleId, f.badRoleId);
      const expiry = pick<unknown>('expiry', f.expiry, f.badExpiry);
      const reason = pick<unknown>('reason', f.reason, f.badReason);
      // The broken field is always well-formed, so it is read (and refused) rather than read as empty.
      const entry = (field: string, value: unknown, kind: 'input' | 'select') =>
        f.broken === field
          ? fc.constant(
              kind === 'input'
                ? { type: 'plain_text_input', value }
                : {
                    type: 'static_select',
                    selected_option: { text: { type: 'plain_text', text: 'x' }, value },
                  },
            )
          : stateEntry(fc.constant(value), kind);
      const expiryId = f.expiryBlock ?? expiryBlockId(typeof roleId === 'string' ? roleId : 'developer');
      return fc
        .tuple(
          entry('keyName', keyName, 'input'),
          entry('roleId', roleId, 'select'),
          entry('expiry', expiry, 'select'),
          entry('reason', reason, 'input'),
          stateEntry(fc.constant(f.ipList), 'input'),
        )
        .map(([n, r, e, why, ip]) => ({
          [BLOCK.keyName]: { [ACTION.keyNameInput]: n },
          [BLOCK.role]: { [ACTION.roleSelect]: r },
          [f.broken === 'expiry'
            ? expiryBlockId(typeof roleId === 'string' ? roleId : 'developer')
            : expiryId]: {
            [ACTION.expirySelect]: e,
          },
          [BLOCK.reason]: { [ACTION.reasonInput]: why },
          [BLOCK.ipList]: { [ACTION.ipListInput]: ip },
        }));
    });
}

/** The edit dialog's values: anything, since its context names a key the sender does not own. */
function editValues(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      name: stateEntry(fc.oneof(fc.constant('renamed-key'), hostileText()), 'input'),
      role: stateEntry(
        fc.oneof(fc.constantFrom(...ROLE_IDS, 'keep'), hostileText({ hugeUpTo: 500 })),
        'select',
      ),
      expiry: stateEntry(
        fc.oneof(fc.constantFrom(...EXPIRIES, 'keep'), hostileText({ hugeUpTo: 500 })),
        'select',
      ),
      reason: stateEntry(fc.oneof(fc.constant('Needs it for longer, really'), hostileText()), 'input'),
    })
    .map((f) => ({
      [BLOCK.editName]: { [ACTION.editName]: f.name },
      [BLOCK.editRole]: { [ACTION.editRole]: f.role },
      [`${BLOCK.editExpiryPrefix}developer`]: { [ACTION.editExpiry]: f.expiry },
      [BLOCK.editReason]: { [ACTION.editReason]: f.reason },
    }));
}

function denyValues(): fc.Arbitrary<Record<string, unknown>> {
  return stateEntry(hostileText(), 'input').map((entry) => ({
    [BLOCK.denyReason]: { [ACTION.denyReasonInput]: entry },
  }));
}

/**
 * A submission of one of Keyhouse's own modals (the callback id is one it listens for) with
 * values and `private_metadata` no honest modal holds: a request that cannot pass, edit and
 * delete contexts aimed at others' keys, deny dialogs for others' requests, stale or garbage
 * metadata, state that is missing, null or of the wrong shape.
 */
export function hostileViewSubmission(
  world: AbuseWorld,
  mintResponseUrl: () => string,
): fc.Arbitrary<RawBody> {
  const url = responseUrl(mintResponseUrl);
  const values = (callbackId: string) => {
    switch (callbackId) {
      case CALLBACK.requestModal:
        return brokenRequestValues();
      case CALLBACK.editModal:
        return editValues();
      case CALLBACK.denyModal:
        return denyValues();
      default:
        return fc.constant({});
    }
  };
  const metadata = (callbackId: string) =>
    callbackId === CALLBACK.denyModal
      ? fc.oneof({ arbitrary: worldIds(world), weight: 3 }, dialogContext(world, url))
      : dialogContext(world, url);
  return fc
    .constantFrom(...Object.values(CALLBACK))
    .chain((callbackId) =>
      fc.record(
        {
          callbackId: fc.constant(callbackId),
          user: userObject(),
          state: fc.oneof(
            { arbitrary: values(callbackId).map((v) => ({ values: v })), weight: 8 },
            {
              arbitrary: fc.constantFrom({}, { values: null }, { values: 'x' }, { values: [] }, null),
              weight: 1,
            },
          ),
          privateMetadata: metadata(callbackId),
          hash: hostileText({ hugeUpTo: 200 }),
        },
        { requiredKeys: ['callbackId', 'user'] },
      ),
    )
    .map((f) => {
      const view: Record<string, unknown> = {
        id: 'V0HOSTILE',
        team_id: SLACK_TEST_DEFAULTS.teamId,
        type: 'modal',
        callback_id: f.callbackId,
        blocks: [],
        app_id: SLACK_TEST_DEFAULTS.appId,
        bot_id: SLACK_TEST_DEFAULTS.botId,
      };
      if ('state' in f) view.state = f.state;
      if ('privateMetadata' in f) view.private_metadata = f.privateMetadata;
      if ('hash' in f) view.hash = f.hash;
      return interactionBody(
        {
          type: 'view_submission',
          team: { id: SLACK_TEST_DEFAULTS.teamId, domain: SLACK_TEST_DEFAULTS.teamDomain },
          user: f.user,
          api_app_id: SLACK_TEST_DEFAULTS.appId,
          token: SLACK_TEST_DEFAULTS.verificationToken,
          trigger_id: 'trigger-id-not-set',
          view,
          response_urls: [],
        },
        `view_submission ${f.callbackId}`,
      );
    });
}

// --- events and garbage ------------------------------------------------------------------------------

/** Events API bodies: App Home opened by odd users or with odd tabs, unknown events, bad envelopes. */
export function hostileEvent(): fc.Arbitrary<RawBody> {
  const homeOpened = fc
    .record(
      {
        user: actorId(),
        tab: fc.oneof(fc.constantFrom('home', 'messages'), hostileText({ hugeUpTo: 100 })),
        channel: fc.oneof(fc.constant('DU0EVE'), hostileText({ hugeUpTo: 100 })),
      },
      { requiredKeys: ['tab'] },
    )
    .map((event) => ({ type: 'app_home_opened', event_ts: '1700000000.000200', ...event }));
  const otherEvent = fc.record({
    type: fc.oneof(
      fc.constantFrom('message', 'app_mention', 'team_join', 'tokens_revoked', '__proto__'),
      hostileText(),
    ),
    user: actorId(),
  });
  const event = fc.oneof(
    { arbitrary: homeOpened, weight: 3 },
    { arbitrary: otherEvent, weight: 2 },
    { arbitrary: fc.constantFrom({}, { type: 42 }), weight: 1 },
  );
  const envelope = fc.oneof(
    {
      arbitrary: event.map((e) => ({
        token: SLACK_TEST_DEFAULTS.verificationToken,
        team_id: SLACK_TEST_DEFAULTS.teamId,
        api_app_id: SLACK_TEST_DEFAULTS.appId,
        type: 'event_callback',
        event_id: 'Ev0HOSTILE',
        event_time: 1_700_000_000,
        event: e,
      })),
      weight: 5,
    },
    {
      arbitrary: hostileText({ hugeUpTo: 2_000 }).map((challenge) => ({
        type: 'url_verification',
        challenge,
      })),
      weight: 1,
    },
    { arbitrary: fc.constant({ type: 'app_rate_limited', minute_rate_limited: 1 }), weight: 1 },
  );
  return envelope.map((payload) =>
    eventBody(payload, `event ${String((payload as { type: unknown }).type)}`),
  );
}

/**
 * Bodies no listener takes: not JSON, empty, JSON that is not an object, interactions of unknown
 * kinds or with unknown ids, missing `actions`, `user` or `view`, unknown commands, odd content types.
 */
export function garbageBody(world: AbuseWorld): fc.Arbitrary<RawBody> {
  const notObjects = fc.constantFrom(
    'null',
    '[]',
    '[1,2,3]',
    '5',
    '"str"',
    'true',
    '{}',
    '[{"type":"block_actions"}]',
  );
  const interaction = fc.oneof(
    fc.record({
      type: fc.constantFrom('block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action'),
      user: fc.constantFrom({ id: ACTORS.eve }, null, ACTORS.eve, 42),
      actions: fc.oneof(
        fc.constantFrom([], null, 'x', [null], [{}], [{ action_id: 42 }]),
        fc
          .tuple(
            fc.oneof(
              fc.constantFrom(ACTION.expirySelect, ACTION.keyNameInput, 'keyhouse.nope'),
              hostileText(),
            ),
            idLike(world),
          )
          .map(([action_id, value]) => [{ action_id, value, type: 'button' }]),
      ),
      view: fc.oneof(
        fc.constantFrom(null, 'x', {}),
        hostileText({ hugeUpTo: 500 }).map((callback_id) => ({ callback_id, state: { values: {} } })),
      ),
      callback_id: hostileText({ hugeUpTo: 200 }),
    }),
    fc.record({ type: hostileText({ hugeUpTo: 200 }), user: fc.constant({ id: ACTORS.eve }) }),
  );
  const unknownCommand = fc
    .tuple(
      fc.oneof(fc.constantFrom('/other', '/CHKEY', '/chkey ', 'chkey', ''), hostileText({ hugeUpTo: 200 })),
      hostileText(),
    )
    .filter(([command]) => command !== COMMAND)
    .map(([command, text]) => commandBody({ command, text, user_id: ACTORS.eve }, 'unknown command'));
  // A click or command Eve could send, in an envelope naming another team, or a key Object.prototype has.
  const otherTeam = fc.constantFrom('T0OTHER', '', 'constructor', 'toString', '__proto__', 'hasOwnProperty');
  const envelope = fc.oneof(
    fc.tuple(otherTeam, worldIds(world)).map(([team, id]) =>
      interactionBody(
        {
          type: 'block_actions',
          user: { id: ACTORS.eve, team_id: team },
          team: { id: team },
          api_app_id: SLACK_TEST_DEFAULTS.appId,
          actions: [{ action_id: ACTION.approve, type: 'button', value: id }],
        },
        'click from another team',
      ),
    ),
    otherTeam.map((team) =>
      commandBody(
        { command: COMMAND, text: 'help', user_id: ACTORS.eve, team_id: team },
        'command from another team',
      ),
    ),
  );
  return fc.oneof(
    envelope,
    hostileText().map((text) =>
      // URLSearchParams, not encodeURIComponent, which throws on a lone surrogate (hostile text has them).
      rawBody(
        'application/x-www-form-urlencoded',
        new URLSearchParams({ payload: text }).toString(),
        'payload not JSON',
      ),
    ),
    fc
      .constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain')
      .map((type) => rawBody(type, '', 'empty body')),
    notObjects.map((json) => rawBody('application/json', json, 'JSON not an object')),
    notObjects.map((json) => interactionBody(JSON.parse(json), 'payload not an object')),
    interaction.map((payload) => interactionBody(payload, 'interaction no listener takes')),
    unknownCommand,
    hostileText({ hugeUpTo: 5_000 }).map((text) => rawBody('text/plain', text, 'text/plain body')),
    fc.constant(
      rawBody(
        'application/x-www-form-urlencoded; charset=utf-8',
        'command=%2Fchkey&text=help',
        'charset form',
      ),
    ),
    fc.constant(rawBody('application/json', '{"type":"event_callback","event":null}', 'event null')),
  );
}
