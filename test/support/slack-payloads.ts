/**
 * Payload factories: what Slack sends the app, as code with overrides instead of JSON fixtures. Defaults
 * name the same workspace the fake Web API answers for (`SLACK_TEST_DEFAULTS`); pass `response_url` /
 * `trigger_id` from the fake (`fake.newResponseUrl()`, `fake.newTriggerId(user)`) so the app can use them.
 *
 * Overrides are deep-partial: nested objects merge, arrays and other values replace.
 */
import { randomBytes } from 'node:crypto';
import type {
  BlockAction,
  BlockElementAction,
  EnvelopedEvent,
  SlashCommand,
  ViewClosedAction,
  ViewOutput,
  ViewStateValue,
  ViewSubmitAction,
} from '@slack/bolt';
import type { AppHomeOpenedEvent } from '@slack/types';
import { dmChannelId, SLACK_TEST_DEFAULTS } from '../../dev/fake-slack/defaults.js';

export { dmChannelId, SLACK_TEST_DEFAULTS } from '../../dev/fake-slack/defaults.js';

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

/**
 * Until the app is given a response URL or trigger id from the fake: a loopback address nothing listens on
 * (a `respond()` fails at once, without leaving the machine) and an id `views.open` refuses.
 */
export const UNSET_RESPONSE_URL = 'http://127.0.0.1:9/response-url-not-set';
export const UNSET_TRIGGER_ID = 'trigger-id-not-set';

const DEFAULT_CHANNEL = { id: 'C0GENERAL', name: 'general' };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge for overrides: plain objects merge key by key, anything else (arrays too) replaces; `undefined` is skipped. */
export function mergeDeep<T>(base: T, overrides: DeepPartial<T> | undefined): T {
  if (overrides === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(overrides)) return overrides as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    merged[key] = isPlainObject(value) && isPlainObject(merged[key]) ? mergeDeep(merged[key], value) : value;
  }
  return merged as T;
}

function nowTs(): string {
  const micros = Date.now() * 1000;
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

function userName(user: string): string {
  return user.toLowerCase();
}

const plainText = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/** The fields of a `/chkey` slash command POST, as Slack form-encodes them. */
export function slashCommand(overrides?: DeepPartial<SlashCommand>): SlashCommand {
  const user = typeof overrides?.user_id === 'string' ? overrides.user_id : 'U0ALICE';
  const base: SlashCommand = {
    token: SLACK_TEST_DEFAULTS.verificationToken,
    team_id: SLACK_TEST_DEFAULTS.teamId,
    team_domain: SLACK_TEST_DEFAULTS.teamDomain,
    channel_id: DEFAULT_CHANNEL.id,
    channel_name: DEFAULT_CHANNEL.name,
    user_id: user,
    user_name: userName(user),
    command: '/chkey',
    text: '',
    api_app_id: SLACK_TEST_DEFAULTS.appId,
    is_enterprise_install: 'false',
    response_url: UNSET_RESPONSE_URL,
    trigger_id: UNSET_TRIGGER_ID,
  };
  return mergeDeep<SlashCommand>(base, overrides);
}

/** Builders for `view.state.values` entries, shaped as Slack sends them. */
export const stateValue = {
  plainTextInput: (value: string | null): ViewStateValue => ({ type: 'plain_text_input', value }),
  staticSelect: (value: string | null, text = value ?? ''): ViewStateValue => ({
    type: 'static_select',
    selected_option: value === null ? null : { text: plainText(text), value },
  }),
  radioButtons: (value: string | null, text = value ?? ''): ViewStateValue => ({
    type: 'radio_buttons',
    selected_option: value === null ? null : { text: plainText(text), value },
  }),
  checkboxes: (values: string[]): ViewStateValue => ({
    type: 'checkboxes',
    selected_options: values.map((value) => ({ text: plainText(value), value })),
  }),
  datepicker: (date: string | null): ViewStateValue => ({ type: 'datepicker', selected_date: date }),
  usersSelect: (user: string | null): ViewStateValue => ({ type: 'users_select', selected_user: user }),
};

/** A `view.state.values` entry: a full Slack state value, or a string / null meaning a `plain_text_input`. */
export type StateInput = string | null | ViewStateValue;
export type StateValues = Record<string, Record<string, StateInput>>;

function toState(values: StateValues): ViewOutput['state'] {
  const state: ViewOutput['state'] = { values: {} };
  for (const [blockId, actions] of Object.entries(values)) {
    const block: Record<string, ViewStateValue> = {};
    for (const [actionId, input] of Object.entries(actions)) {
      block[actionId] =
        typeof input === 'string' || input === null ? stateValue.plainTextInput(input) : input;
    }
    state.values[blockId] = block;
  }
  return state;
}

/** Input blocks matching the state, so a submitted view looks like one Slack rendered. */
function blocksFor(state: ViewOutput['state']): ViewOutput['blocks'] {
  return Object.entries(state.values).map(([blockId, actions]) => {
    const [actionId, value] = Object.entries(actions)[0] ?? ['action', stateValue.plainTextInput(null)];
    return {
      type: 'input',
      block_id: blockId,
      label: { type: 'plain_text', text: blockId },
      element: { type: value.type, action_id: actionId },
    } as ViewOutput['blocks'][number];
  });
}

function viewOutput(fields: {
  id?: string | undefined;
  callbackId: string;
  privateMetadata?: string | undefined;
  hash?: string | undefined;
  state: ViewOutput['state'];
  blocks?: ViewOutput['blocks'] | undefined;
}): ViewOutput {
  const id = fields.id ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
  return {
    id,
    team_id: SLACK_TEST_DEFAULTS.teamId,
    type: 'modal',
    blocks: fields.blocks ?? blocksFor(fields.state),
    private_metadata: fields.privateMetadata ?? '',
    callback_id: fields.callbackId,
    state: fields.state,
    hash: fields.hash ?? `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
    title: plainText('Keyhouse'),
    clear_on_close: false,
    notify_on_close: false,
    close: plainText('Cancel'),
    submit: plainText('Submit'),
    previous_view_id: null,
    root_view_id: id,
    app_id: SLACK_TEST_DEFAULTS.appId,
    external_id: '',
    app_installed_team_id: SLACK_TEST_DEFAULTS.teamId,
    bot_id: SLACK_TEST_DEFAULTS.botId,
  };
}

const team = () => ({ id: SLACK_TEST_DEFAULTS.teamId, domain: SLACK_TEST_DEFAULTS.teamDomain });

export interface BlockActionInput {
  user: string;
  actionId: string;
  blockId?: string;
  /** A button's value. */
  value?: string;
  /** The chosen option of a select or overflow menu. */
  selectedOption?: { value: string; text?: string };
  /** Default: `static_select` when `selectedOption` is given, else `button`. Use `overflow` for overflow menus. */
  actionType?: string;
  responseUrl: string;
  triggerId: string;
  /** The message the button is on; a `FakeMessage` from `fake.messages()` works as is (its `channel` is used). */
  message?: Record<string, unknown>;
  /** Channel ID of the message; default the message's `channel`, else `C0GENERAL`. */
  channel?: string;
  /** The click came from an ephemeral message: Slack then sends no `message`. */
  ephemeral?: boolean;
  /** The click came from a modal or Home tab (for example a select with `dispatch_action`). */
  view?: DeepPartial<ViewOutput>;
  container?: Record<string, unknown>;
}

/** A `block_actions` interaction payload for one clicked element. */
export function blockAction(input: BlockActionInput, overrides?: DeepPartial<BlockAction>): BlockAction {
  const actionType = input.actionType ?? (input.selectedOption === undefined ? 'button' : 'static_select');
  const action = {
    type: actionType,
    action_id: input.actionId,
    block_id: input.blockId ?? 'actions',
    action_ts: nowTs(),
    ...(actionType === 'button' ? { text: plainText('Button') } : {}),
    ...(input.value === undefined ? {} : { value: input.value }),
    ...(input.selectedOption === undefined
      ? {}
      : {
          selected_option: {
            text: plainText(input.selectedOption.text ?? input.selectedOption.value),
            value: input.selectedOption.value,
          },
        }),
  } as BlockElementAction;

  const payload: BlockAction = {
    type: 'block_actions',
    user: {
      id: input.user,
      username: userName(input.user),
      name: userName(input.user),
      team_id: SLACK_TEST_DEFAULTS.teamId,
    },
    api_app_id: SLACK_TEST_DEFAULTS.appId,
    token: SLACK_TEST_DEFAULTS.verificationToken,
    container: {},
    trigger_id: input.triggerId,
    team: team(),
    is_enterprise_install: false,
    response_url: input.responseUrl,
    actions: [action],
  };

  if (input.view !== undefined) {
    const view = mergeDeep<ViewOutput>(viewOutput({ callbackId: '', state: { values: {} } }), input.view);
    payload.view = view;
    payload.state = view.state;
    payload.container = input.container ?? { type: 'view', view_id: view.id };
  } else {
    const messageChannel = typeof input.message?.channel === 'string' ? input.message.channel : undefined;
    const channelId = input.channel ?? messageChannel ?? DEFAULT_CHANNEL.id;
    const channelName =
      channelId === DEFAULT_CHANNEL.id
        ? DEFAULT_CHANNEL.name
        : channelId.startsWith('D')
          ? 'directmessage'
          : 'channel';
    const message = {
      type: 'message' as const,
      user: SLACK_TEST_DEFAULTS.botUserId,
      bot_id: SLACK_TEST_DEFAULTS.botId,
      ts: nowTs(),
      text: '',
      blocks: [],
      ...input.message,
    };
    // A fake's message record carries bookkeeping Slack would not send.
    delete (message as Record<string, unknown>).history;
    delete (message as Record<string, unknown>).channel;
    payload.channel = { id: channelId, name: channelName };
    payload.container = input.container ?? {
      type: 'message',
      message_ts: message.ts,
      channel_id: channelId,
      is_ephemeral: input.ephemeral === true,
    };
    if (input.ephemeral !== true) payload.message = message;
    payload.state = { values: {} };
  }
  return mergeDeep<BlockAction>(payload, overrides);
}

export interface ViewSubmissionInput {
  user: string;
  callbackId: string;
  privateMetadata?: string;
  /** blockId → actionId → value; a string is a `plain_text_input` value, otherwise use `stateValue.*`. */
  values: StateValues;
  viewId?: string;
  hash?: string;
  /** The view's blocks; default: one input block per state entry. */
  blocks?: ViewOutput['blocks'];
  triggerId?: string;
}

/** A `view_submission` payload for a modal. */
export function viewSubmission(
  input: ViewSubmissionInput,
  overrides?: DeepPartial<ViewSubmitAction>,
): ViewSubmitAction {
  const payload: ViewSubmitAction = {
    type: 'view_submission',
    team: team(),
    user: { id: input.user, name: userName(input.user), team_id: SLACK_TEST_DEFAULTS.teamId },
    api_app_id: SLACK_TEST_DEFAULTS.appId,
    token: SLACK_TEST_DEFAULTS.verificationToken,
    trigger_id: input.triggerId ?? UNSET_TRIGGER_ID,
    view: viewOutput({
      id: input.viewId,
      callbackId: input.callbackId,
      privateMetadata: input.privateMetadata,
      hash: input.hash,
      state: toState(input.values),
      blocks: input.blocks,
    }),
    response_urls: [],
    is_enterprise_install: false,
  };
  return mergeDeep<ViewSubmitAction>(payload, overrides);
}

export interface ViewClosedInput {
  user: string;
  callbackId: string;
  privateMetadata?: string;
  viewId?: string;
  hash?: string;
  values?: StateValues;
  /** True when the whole stack was closed. */
  isCleared?: boolean;
}

/** A `view_closed` payload (sent only for views with `notify_on_close: true`). */
export function viewClosed(
  input: ViewClosedInput,
  overrides?: DeepPartial<ViewClosedAction>,
): ViewClosedAction {
  const view = viewOutput({
    id: input.viewId,
    callbackId: input.callbackId,
    privateMetadata: input.privateMetadata,
    hash: input.hash,
    state: toState(input.values ?? {}),
  });
  const payload: ViewClosedAction = {
    type: 'view_closed',
    team: team(),
    user: { id: input.user, name: userName(input.user), team_id: SLACK_TEST_DEFAULTS.teamId },
    api_app_id: SLACK_TEST_DEFAULTS.appId,
    token: SLACK_TEST_DEFAULTS.verificationToken,
    view: { ...view, notify_on_close: true },
    is_cleared: input.isCleared ?? false,
    is_enterprise_install: false,
  };
  return mergeDeep<ViewClosedAction>(payload, overrides);
}

/** An Events API `event_callback` envelope for `app_home_opened`. */
export function appHomeOpened(
  input: { user: string; tab?: 'home' | 'messages'; channel?: string },
  overrides?: DeepPartial<EnvelopedEvent<AppHomeOpenedEvent>>,
): EnvelopedEvent<AppHomeOpenedEvent> {
  const now = Date.now();
  const envelope: EnvelopedEvent<AppHomeOpenedEvent> = {
    token: SLACK_TEST_DEFAULTS.verificationToken,
    team_id: SLACK_TEST_DEFAULTS.teamId,
    context_team_id: SLACK_TEST_DEFAULTS.teamId,
    api_app_id: SLACK_TEST_DEFAULTS.appId,
    event: {
      type: 'app_home_opened',
      user: input.user,
      channel: input.channel ?? dmChannelId(input.user),
      tab: input.tab ?? 'home',
      event_ts: nowTs(),
    },
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(now / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: SLACK_TEST_DEFAULTS.teamId,
        user_id: SLACK_TEST_DEFAULTS.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
  return mergeDeep<EnvelopedEvent<AppHomeOpenedEvent>>(envelope, overrides);
}

/**
 * An Events API `event_callback` envelope for `user_change`, as Slack sends when an admin
 * deactivates a user (`deleted: true`) or a profile changes. Only the fields Keyhouse reads and
 * a plausible few around them.
 */
export function userChange(input: { user: string; deleted: boolean }): Record<string, unknown> {
  const now = Date.now();
  return {
    token: SLACK_TEST_DEFAULTS.verificationToken,
    team_id: SLACK_TEST_DEFAULTS.teamId,
    api_app_id: SLACK_TEST_DEFAULTS.appId,
    event: {
      type: 'user_change',
      user: {
        id: input.user,
        team_id: SLACK_TEST_DEFAULTS.teamId,
        name: input.user.toLowerCase(),
        deleted: input.deleted,
        real_name: input.user.toLowerCase(),
        is_bot: false,
        is_app_user: false,
        updated: Math.floor(now / 1000),
        profile: { real_name: input.user.toLowerCase(), display_name: input.user.toLowerCase() },
      },
      cache_ts: Math.floor(now / 1000),
      event_ts: nowTs(),
    },
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(now / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: SLACK_TEST_DEFAULTS.teamId,
        user_id: SLACK_TEST_DEFAULTS.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
}
