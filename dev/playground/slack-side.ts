/**
 * What Slack's servers do when a person acts in their client: turn a slash command, a click, a
 * select change or a modal submission into the signed request Slack would send the app (with a
 * fresh `trigger_id` and a `response_url` bound to where it happened), wait the 3 seconds Slack
 * waits for the acknowledgement, and apply what the acknowledgement says (a message in a
 * command's ack, a modal's `response_action`). Everything the person may only see, never send,
 * is looked up here: a button's value comes from the message, not from the page.
 */

import { randomBytes } from 'node:crypto';
import { dmChannelId, SLACK_TEST_DEFAULTS } from '../fake-slack/defaults.js';
import type { FakeSlack, FakeViewRecord } from '../fake-slack/index.js';
import { type AppResponse, postToApp, type SlackRequestBody } from '../fake-slack/slack-http.js';
import { blockIdOf, type Element, elementsOf, isObject, type Json } from './blocks.js';
import { escapeCommandText, handleOf } from './escape.js';
import type { PlaygroundPeople } from './people.js';

/** Slack waits this long for an acknowledgement, then tells the person the app did not answer. */
export const ACK_TIMEOUT_MS = 3000;

/**
 * The languages a person can switch to in the playground, each with the time zone its demo person
 * lives in, so a Korean reader also sees dates in Seoul's time.
 */
export const LANGUAGES = {
  'en-US': { locale: 'en-US', tz: 'UTC' },
  'ko-KR': { locale: 'ko-KR', tz: 'Asia/Seoul' },
} as const;
export type PlaygroundLanguage = keyof typeof LANGUAGES;

/** Where an interactive element is shown. */
export type Surface =
  | { kind: 'message'; channel: string; ts: string }
  | { kind: 'ephemeral'; channel: string; ts: string }
  | { kind: 'view'; viewId: string };

/** Values of a modal's inputs as the page holds them: block id → action id → value(s). */
export type PageValues = Record<string, Record<string, string | string[] | null>>;

/** A line Slack itself shows one person (Slackbot's "failed with the error…", a warning on a button). */
export interface Notice {
  id: string;
  user: string;
  channel: string | null;
  text: string;
  at: number;
}

/** Something Slack refused, shown to everyone in the page's "Refused by Slack" panel. */
export interface Refusal {
  id: string;
  at: number;
  where: string;
  error: string;
  messages: string[];
}

/** A modal's errors after a submission: Slack shows them under their input blocks. */
export interface ModalErrors {
  fields: Record<string, string>;
  banner: string | null;
}

export interface SlackSideOptions {
  fake: FakeSlack;
  appUrl: string;
  signingSecret: string;
  command: string;
  people: PlaygroundPeople;
  /** Called after anything here changed what a person sees. */
  changed: () => void;
  /** How long to wait for an acknowledgement; default Slack's 3 s (`ACK_TIMEOUT_MS`). */
  ackTimeoutMs?: number;
}

function nowTs(): string {
  const micros = Date.now() * 1000;
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

export class SlackSide {
  readonly notices: Notice[] = [];
  readonly refusals: Refusal[] = [];
  readonly modalErrors = new Map<string, ModalErrors>();
  /** The last values the page sent for a view, as Slack keeps `view.state` across updates. */
  readonly #values = new Map<string, PageValues>();
  /** Who switched their language in the page; everyone else reads English, in UTC. */
  readonly #languages = new Map<string, PlaygroundLanguage>();
  readonly #options: SlackSideOptions;
  #counter = 0;

  constructor(options: SlackSideOptions) {
    this.#options = options;
  }

  get #fake(): FakeSlack {
    return this.#options.fake;
  }

  refuse(where: string, error: string, messages: string[] = []): void {
    this.refusals.push({ id: this.#id('F'), at: Date.now(), where, error, messages });
    // Only the latest ones matter in a page; the list must not grow for ever.
    if (this.refusals.length > 50) this.refusals.splice(0, this.refusals.length - 50);
    this.#options.changed();
  }

  notice(user: string, channel: string | null, text: string): void {
    this.notices.push({ id: this.#id('N'), user, channel, text, at: Date.now() });
    if (this.notices.length > 200) this.notices.splice(0, this.notices.length - 200);
    this.#options.changed();
  }

  dismissNotice(user: string, id: string): void {
    const index = this.notices.findIndex((n) => n.id === id && n.user === user);
    if (index >= 0) this.notices.splice(index, 1);
    this.#options.changed();
  }

  /** `/chkey …` typed in `channel`. */
  async command(user: string, channel: string, text: string): Promise<void> {
    const { command } = this.#options;
    const responseUrl = this.#fake.newResponseUrl({ channel, user });
    const fields: Record<string, string> = {
      token: SLACK_TEST_DEFAULTS.verificationToken,
      team_id: SLACK_TEST_DEFAULTS.teamId,
      team_domain: SLACK_TEST_DEFAULTS.teamDomain,
      channel_id: channel,
      channel_name: this.#channelName(channel),
      user_id: user,
      user_name: this.#userName(user),
      command,
      // Slack escapes what was typed (the manifest's `should_escape: true`): `@alice` arrives as `<@U0ALICE|alice>`.
      text: escapeCommandText(text, this.#options.people),
      api_app_id: SLACK_TEST_DEFAULTS.appId,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: this.#fake.newTriggerId(user),
    };
    const answer = await this.#send({ kind: 'command', fields });
    if (answer === null || answer.status !== 200) {
      const why = answer === null ? 'operation_timeout' : 'dispatch_failed';
      this.notice(user, channel, `${command} failed with the error "${why}"`);
      return;
    }
    if (answer.body.trim() === '') return;
    const body = isObject(answer.json) ? answer.json : { text: answer.body };
    const rejection = this.#fake.showEphemeral(channel, user, body, responseUrl);
    if (rejection !== null) this.refuse(`${command} acknowledgement`, rejection.error, rejection.messages);
  }

  /**
   * A click or a choice on an element. `selected` is the option value, date or user chosen; the
   * element itself (its value, text, options) is read from the surface, as Slack would send it.
   */
  async action(
    user: string,
    surface: Surface,
    blockId: string,
    actionId: string,
    selected: string | null,
    values: PageValues = {},
  ): Promise<void> {
    const found = this.#findSurface(user, surface);
    if (found === null) {
      this.notice(user, null, 'That message or view is no longer there.');
      return;
    }
    const located = elementsOf(found.blocks).find((e) => e.blockId === blockId && e.actionId === actionId);
    if (located === undefined) {
      this.notice(user, null, 'That element is no longer there.');
      return;
    }
    const action = actionOf(located, selected);
    if (action === null) return;
    const payload: Json = {
      type: 'block_actions',
      user: { id: user, username: this.#userName(user), name: this.#userName(user), team_id: team().id },
      api_app_id: SLACK_TEST_DEFAULTS.appId,
      token: SLACK_TEST_DEFAULTS.verificationToken,
      trigger_id: this.#fake.newTriggerId(user),
      team: team(),
      enterprise: null,
      is_enterprise_install: false,
      actions: [action],
    };
    if (surface.kind === 'view') {
      if (found.view === null) return;
      this.#values.set(surface.viewId, values);
      const view = this.#viewPayload(found.view, values);
      payload.container = { type: 'view', view_id: found.view.id };
      payload.view = view;
      payload.state = view.state;
    } else {
      payload.channel = { id: surface.channel, name: this.#channelName(surface.channel) };
      payload.container = {
        type: 'message',
        message_ts: surface.ts,
        channel_id: surface.channel,
        is_ephemeral: surface.kind === 'ephemeral',
      };
      payload.response_url = this.#fake.newResponseUrl(
        surface.kind === 'message'
          ? { channel: surface.channel, user, messageTs: surface.ts }
          : { channel: surface.channel, user, ephemeralTs: surface.ts },
      );
      if (surface.kind === 'message' && found.message !== null) payload.message = found.message;
      payload.state = { values: {} };
    }
    const answer = await this.#send({ kind: 'interaction', payload });
    if (answer === null || answer.status !== 200) {
      this.notice(
        user,
        surface.kind === 'view' ? null : surface.channel,
        'Keyhouse did not respond to that in time (Slack shows a warning on the element).',
      );
    }
  }

  /** The modal's Submit button. Slack checks required fields itself before anything is sent. */
  async submit(user: string, viewId: string, values: PageValues): Promise<void> {
    const record = this.#fake.viewStack(user).find((v) => v.id === viewId);
    if (record === undefined) return;
    this.#values.set(viewId, values);
    const missing = requiredMissing(record.view, values);
    if (Object.keys(missing).length > 0) {
      this.modalErrors.set(viewId, { fields: missing, banner: null });
      this.#options.changed();
      return;
    }
    this.modalErrors.delete(viewId);
    const view = this.#viewPayload(record, values);
    const payload: Json = {
      type: 'view_submission',
      team: team(),
      user: { id: user, name: this.#userName(user), team_id: team().id },
      api_app_id: SLACK_TEST_DEFAULTS.appId,
      token: SLACK_TEST_DEFAULTS.verificationToken,
      trigger_id: this.#fake.newTriggerId(user),
      view,
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const answer = await this.#send({ kind: 'interaction', payload });
    if (answer === null || answer.status !== 200) {
      this.modalErrors.set(viewId, { fields: {}, banner: 'We had some trouble connecting. Try again?' });
      this.#options.changed();
      return;
    }
    const ack = answer.body.trim() === '' ? null : isObject(answer.json) ? answer.json : {};
    const outcome = this.#fake.applyViewAck(user, viewId, ack);
    if (!outcome.ok) {
      this.refuse('view_submission acknowledgement', outcome.error, outcome.messages);
      this.modalErrors.set(viewId, { fields: {}, banner: 'We had some trouble connecting. Try again?' });
    } else if (outcome.action === 'errors' && ack !== null) {
      this.modalErrors.set(viewId, fieldErrors(record.view, ack.errors));
    }
    this.#options.changed();
  }

  /** The modal's Cancel (back to the view below) or its ×, which closes the whole stack. */
  async close(user: string, viewId: string, which: 'top' | 'all'): Promise<void> {
    const stack = this.#fake.viewStack(user);
    const record = stack.find((v) => v.id === viewId);
    this.#fake.closeViews(user, which);
    if (record?.view.notify_on_close !== true) return;
    await this.#send({
      kind: 'interaction',
      payload: {
        type: 'view_closed',
        team: team(),
        user: { id: user, name: this.#userName(user), team_id: team().id },
        api_app_id: SLACK_TEST_DEFAULTS.appId,
        token: SLACK_TEST_DEFAULTS.verificationToken,
        view: this.#viewPayload(record, this.#values.get(viewId) ?? {}),
        is_cleared: which === 'all',
        is_enterprise_install: false,
      },
    });
  }

  /** The person opened the app's Home tab (or its Messages tab): Slack sends `app_home_opened`. */
  async openedApp(user: string, tab: 'home' | 'messages'): Promise<void> {
    const home = this.#fake.views().find((v) => v.user === user && v.view.type === 'home');
    await this.#send({
      kind: 'event',
      payload: {
        token: SLACK_TEST_DEFAULTS.verificationToken,
        team_id: team().id,
        context_team_id: team().id,
        api_app_id: SLACK_TEST_DEFAULTS.appId,
        event: {
          type: 'app_home_opened',
          user,
          channel: dmChannelId(user),
          tab,
          event_ts: nowTs(),
          ...(tab === 'home' && home !== undefined ? { view: { id: home.id, hash: home.hash } } : {}),
        },
        type: 'event_callback',
        event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [
          {
            enterprise_id: null,
            team_id: team().id,
            user_id: SLACK_TEST_DEFAULTS.botUserId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
      },
    });
  }

  /**
   * The person changed their language (and with it the demo's time zone) in Slack's preferences:
   * the fake Slack answers `users.info` with it from now on, and Keyhouse hears the `user_change`
   * event Slack sends, as it would in a workspace.
   */
  async changeLanguage(user: string, language: PlaygroundLanguage): Promise<void> {
    const { payload } = this.#fake.changePreferences(user, LANGUAGES[language]);
    this.#languages.set(user, language);
    await this.#send({ kind: 'event', payload });
  }

  /** The Slack locale and time zone the person has now (`en-US` and UTC unless changed). */
  languageOf(user: string): PlaygroundLanguage {
    return this.#languages.get(user) ?? 'en-US';
  }

  /** Last values the page sent for a view (kept across `views.update`, as Slack keeps typed input). */
  valuesOf(viewId: string): PageValues {
    return this.#values.get(viewId) ?? {};
  }

  async #send(body: SlackRequestBody): Promise<AppResponse | null> {
    try {
      return await postToApp(this.#options.appUrl, body, {
        signingSecret: this.#options.signingSecret,
        signal: AbortSignal.timeout(this.#options.ackTimeoutMs ?? ACK_TIMEOUT_MS),
      });
    } catch {
      return null;
    }
  }

  #findSurface(
    user: string,
    surface: Surface,
  ): { blocks: unknown[]; message: Json | null; view: FakeViewRecord | null } | null {
    if (surface.kind === 'view') {
      const view =
        this.#fake.viewStack(user).find((v) => v.id === surface.viewId) ??
        this.#homeRecord(user, surface.viewId);
      if (view === undefined) return null;
      return { blocks: Array.isArray(view.view.blocks) ? view.view.blocks : [], message: null, view };
    }
    if (surface.kind === 'ephemeral') {
      const ephemeral = this.#fake
        .ephemerals()
        .find((e) => e.ts === surface.ts && e.user === user && e.channel === surface.channel);
      if (ephemeral === undefined) return null;
      const blocks = Array.isArray(ephemeral.body.blocks) ? ephemeral.body.blocks : [];
      return { blocks, message: null, view: null };
    }
    const message = this.#fake.messages(surface.channel).find((m) => m.ts === surface.ts);
    if (message === undefined) return null;
    // What Slack sends as `message`: the message as it stands, without the fake's bookkeeping.
    const { history: _history, channel: _channel, ...rest } = message;
    return {
      blocks: message.blocks ?? [],
      message: { type: 'message', ...rest, text: message.text ?? '' },
      view: null,
    };
  }

  #homeRecord(user: string, viewId: string): FakeViewRecord | undefined {
    const home = this.#fake.views().find((v) => v.id === viewId && v.user === user);
    if (home === undefined || home.view.type !== 'home') return undefined;
    return { ...home, type: 'home', rootViewId: home.id, previousViewId: null };
  }

  /** The view as Slack puts it in an interaction payload, with `state.values` from the page. */
  #viewPayload(record: FakeViewRecord, values: PageValues) {
    const sent = record.view;
    return {
      id: record.id,
      team_id: team().id,
      type: record.type,
      blocks: sent.blocks ?? [],
      private_metadata: sent.private_metadata ?? '',
      callback_id: sent.callback_id ?? '',
      state: { values: stateValues(sent, values, this.#options.people) },
      hash: record.hash,
      title: sent.title ?? { type: 'plain_text', text: 'View Title' },
      clear_on_close: sent.clear_on_close === true,
      notify_on_close: sent.notify_on_close === true,
      close: sent.close ?? null,
      submit: sent.submit ?? null,
      previous_view_id: record.previousViewId,
      root_view_id: record.rootViewId,
      app_id: SLACK_TEST_DEFAULTS.appId,
      external_id: sent.external_id ?? '',
      app_installed_team_id: team().id,
      bot_id: SLACK_TEST_DEFAULTS.botId,
    };
  }

  #channelName(channel: string): string {
    if (channel.startsWith('D')) return 'directmessage';
    return this.#options.people.channels.find((c) => c.id === channel)?.name ?? 'channel';
  }

  #userName(user: string): string {
    const person = this.#options.people.people.find((p) => p.id === user);
    return person ? handleOf(person.name) : user.toLowerCase();
  }

  #id(prefix: string): string {
    this.#counter += 1;
    return `${prefix}${this.#counter}`;
  }
}

/** Everything Slack refused the app (a Web API call, a response-URL post) is shown in the page. */
export function reportRefusals(fake: FakeSlack, side: SlackSide): () => void {
  return fake.onActivity((activity) => {
    if (activity.type === 'call' && activity.call.response.ok === false) {
      const { response } = activity.call;
      const meta = response.response_metadata as { messages?: unknown } | undefined;
      side.refuse(
        activity.call.method,
        String(response.error),
        Array.isArray(meta?.messages) ? meta.messages.map(String) : [],
      );
    } else if (activity.type === 'response_url' && activity.post.status !== 200) {
      side.refuse('response_url', activity.post.response);
    }
  });
}

function team() {
  return { id: SLACK_TEST_DEFAULTS.teamId, domain: SLACK_TEST_DEFAULTS.teamDomain };
}

function optionWith(element: Element, value: string | null): Json | null {
  if (value === null) return null;
  const options = Array.isArray(element.options) ? element.options : [];
  const groups = Array.isArray(element.option_groups) ? element.option_groups : [];
  const all = [
    ...options,
    ...groups.flatMap((g) => (isObject(g) && Array.isArray(g.options) ? g.options : [])),
  ];
  const option = all.find((o) => isObject(o) && o.value === value);
  return isObject(option) ? option : null;
}

/** The `actions[0]` Slack sends for an element; null when the choice is not one the element offers. */
function actionOf(located: ReturnType<typeof elementsOf>[number], selected: string | null): Json | null {
  const { element, blockId, actionId } = located;
  const base = { type: element.type, action_id: actionId, block_id: blockId, action_ts: nowTs() };
  switch (element.type) {
    case 'button':
      return {
        ...base,
        text: element.text,
        ...(element.value === undefined ? {} : { value: element.value }),
        ...(element.style === undefined ? {} : { style: element.style }),
      };
    case 'overflow':
    case 'static_select':
    case 'radio_buttons': {
      const option = optionWith(element, selected);
      return option === null ? null : { ...base, selected_option: option };
    }
    case 'datepicker':
      return { ...base, selected_date: selected };
    case 'users_select':
      return { ...base, selected_user: selected };
    case 'checkboxes':
      return { ...base, selected_options: [] };
    case 'plain_text_input':
      return { ...base, value: selected };
    default:
      return null;
  }
}

/** `view.state.values` as Slack builds it: every input element, with null for what is empty. */
export function stateValues(view: Json, values: PageValues, people: PlaygroundPeople): Json {
  const out: Record<string, Record<string, Json>> = {};
  for (const { element, blockId, actionId, block } of elementsOf(view.blocks)) {
    if (block.type !== 'input' && block.type !== 'actions' && block.type !== 'section') continue;
    const raw = values[blockId]?.[actionId];
    const one = Array.isArray(raw) ? (raw[0] ?? null) : (raw ?? null);
    const given = one === '' ? null : one;
    let value: Json | null = null;
    switch (element.type) {
      case 'plain_text_input':
        value = { type: element.type, value: given };
        break;
      case 'static_select':
      case 'radio_buttons':
        value = { type: element.type, selected_option: optionWith(element, given) };
        break;
      case 'datepicker':
        value = { type: element.type, selected_date: given };
        break;
      case 'users_select':
        value = {
          type: element.type,
          selected_user: given !== null && people.people.some((p) => p.id === given) ? given : null,
        };
        break;
      case 'checkboxes': {
        const chosen = Array.isArray(raw) ? raw : [];
        value = {
          type: element.type,
          selected_options: chosen.map((v) => optionWith(element, v)).filter((o) => o !== null),
        };
        break;
      }
      default:
        value = null;
    }
    if (value === null) continue;
    out[blockId] ??= {};
    out[blockId][actionId] = value;
  }
  return out;
}

/** Slack's own check before a submission is sent: a required input left empty is marked on its block. */
function requiredMissing(view: Json, values: PageValues): Record<string, string> {
  const missing: Record<string, string> = {};
  if (!Array.isArray(view.blocks)) return missing;
  view.blocks.forEach((block, index) => {
    if (!isObject(block) || block.type !== 'input' || block.optional === true) return;
    const element = isObject(block.element) ? block.element : null;
    if (element === null) return;
    const blockId = blockIdOf(block, index);
    const actionId = typeof element.action_id === 'string' ? element.action_id : `${blockId}-0`;
    const raw = values[blockId]?.[actionId];
    const empty = raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0);
    if (empty) missing[blockId] = 'Please complete this required field.';
    const text = typeof raw === 'string' ? raw : '';
    if (!empty && typeof element.min_length === 'number' && text.length < element.min_length) {
      missing[blockId] = `Must be at least ${element.min_length} characters.`;
    }
  });
  return missing;
}

/** A `response_action: "errors"` map as Slack shows it: errors on input blocks; others fail the modal. */
function fieldErrors(view: Json, errors: unknown): ModalErrors {
  const fields: Record<string, string> = {};
  const inputIds = new Set(
    (Array.isArray(view.blocks) ? view.blocks : []).flatMap((block, index) =>
      isObject(block) && block.type === 'input' ? [blockIdOf(block, index)] : [],
    ),
  );
  const unknown: string[] = [];
  for (const [blockId, message] of Object.entries(isObject(errors) ? errors : {})) {
    if (inputIds.has(blockId)) fields[blockId] = String(message);
    else unknown.push(blockId);
  }
  return {
    fields,
    banner:
      unknown.length > 0
        ? `Slack could not show errors for blocks that are not inputs: ${unknown.join(', ')}`
        : null,
  };
}
