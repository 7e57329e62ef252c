/**
 * What one person sees right now, as HTML pieces the page swaps in: each conversation's timeline
 * (messages with their threads, and the ephemeral messages meant for this person only), the app's
 * Home tab, the top modal of their stack, and Slack's own notices. Built afresh from the fake
 * Slack's state on every change, for each person watching; nothing of another person's
 * ephemerals or modals is ever in it.
 */
import type { FakeMessage, FakeSlack } from '../fake-slack/index.js';
import { type DestinationsFeed, destinationsHtml } from './destinations.js';
import { type DateReader, escapeHtml, type Names } from './mrkdwn.js';
import type { PlaygroundPeople } from './people.js';
import { type RenderContext, renderBlocks, renderMessageBody } from './render.js';
import { LANGUAGES, type PlaygroundLanguage, type SlackSide } from './slack-side.js';

export interface Conversation {
  id: string;
  /** `channel`, `dm` (the app's Messages tab) or `home`. */
  kind: 'channel' | 'dm' | 'home';
  name: string;
  html: string;
}

export interface Snapshot {
  user: string;
  /** The person's Slack language, as the page's language switch shows it. */
  language: PlaygroundLanguage;
  conversations: Conversation[];
  modal: { id: string; hash: string; html: string } | null;
  /** Notices not tied to a conversation (a click the app did not answer in time). */
  toasts: string;
  refusals: string;
  /** What this person may do under the policy (`npm run policy -- explain`), as plain text. */
  explain: string;
  /** The Destinations panel: what the fake Vault and GitHub hold (never a secret); empty without them. */
  destinations: string;
}

export interface SnapshotSources {
  fake: FakeSlack;
  side: SlackSide;
  people: PlaygroundPeople;
  appName: string;
  destinations?: DestinationsFeed | undefined;
}

function names(people: PlaygroundPeople, appName: string, reader: DateReader): Names {
  return {
    reader,
    user: (id) =>
      people.people.find((p) => p.id === id)?.name ?? (id.startsWith('U0KEYHOUSE') ? appName : id),
    channel: (id) => people.channels.find((c) => c.id === id)?.name ?? id,
  };
}

function clock(ts: string): string {
  const d = new Date(Number(ts) * 1000);
  return Number.isNaN(d.getTime()) ? '' : `${d.toISOString().slice(11, 16)} UTC`;
}

function tsOf(at: number): string {
  return (at / 1000).toFixed(6);
}

export function snapshot(sources: SnapshotSources, user: string): Snapshot {
  const { fake, side, people, appName } = sources;
  const language = side.languageOf(user);
  const { locale, tz } = LANGUAGES[language];
  const ctx: RenderContext = {
    names: names(people, appName, { locale, timeZone: tz }),
    now: new Date(),
    people: people.people.map(({ id, name }) => ({ id, name })),
  };
  const ephemerals = fake.ephemerals().filter((e) => e.user === user);
  const notices = side.notices.filter((n) => n.user === user);
  const dm = fake.dmChannel(user);

  const timeline = (channel: string, messages: FakeMessage[]): string => {
    const items: { ts: string; html: string }[] = [];
    const replies = new Map<string, FakeMessage[]>();
    for (const m of messages) {
      if (m.thread_ts !== undefined && m.thread_ts !== m.ts) {
        replies.set(m.thread_ts, [...(replies.get(m.thread_ts) ?? []), m]);
      }
    }
    for (const m of messages) {
      if (m.thread_ts !== undefined && m.thread_ts !== m.ts) continue;
      const thread = replies.get(m.ts) ?? [];
      const threadHtml =
        thread.length === 0
          ? ''
          : `<div class="thread"><div class="thread-head">${thread.length} ${thread.length === 1 ? 'reply' : 'replies'}</div>${thread
              .map((r) =>
                // Its own surface: a click in a reply acts on the reply, not on the message above it.
                messageHtml(appName, r.ts, renderMessageBody(r, ctx), {
                  edited: r.edited !== undefined,
                  surface: JSON.stringify({ kind: 'message', channel, ts: r.ts }),
                }),
              )
              .join('')}</div>`;
      const surface = JSON.stringify({ kind: 'message', channel, ts: m.ts });
      items.push({
        ts: m.ts,
        html: messageHtml(appName, m.ts, renderMessageBody(m, ctx), {
          edited: m.edited !== undefined,
          surface,
          after: threadHtml,
        }),
      });
    }
    for (const e of ephemerals.filter((x) => x.channel === channel)) {
      const surface = JSON.stringify({ kind: 'ephemeral', channel, ts: e.ts });
      items.push({
        ts: e.ts,
        html: messageHtml(appName, e.ts, renderMessageBody(e.body, ctx), {
          surface,
          ephemeral: `<button type="button" class="link" data-act="dismiss" data-ts="${escapeHtml(e.ts)}">Dismiss</button>`,
        }),
      });
    }
    for (const n of notices.filter((x) => x.channel === channel)) {
      items.push({
        ts: tsOf(n.at),
        html: messageHtml('Slackbot', tsOf(n.at), `<div class="text">${escapeHtml(n.text)}</div>`, {
          ephemeral: `<button type="button" class="link" data-act="dismiss-notice" data-id="${escapeHtml(n.id)}">Dismiss</button>`,
        }),
      });
    }
    items.sort((a, b) => Number(a.ts) - Number(b.ts));
    return items.length === 0
      ? '<div class="empty">No messages yet.</div>'
      : items.map((i) => i.html).join('');
  };

  const conversations: Conversation[] = people.channels.map((c) => ({
    id: c.id,
    kind: 'channel',
    name: c.name,
    html: timeline(c.id, fake.messages(c.id)),
  }));
  conversations.push({ id: dm, kind: 'dm', name: appName, html: timeline(dm, fake.messages(user)) });
  const home = fake.views().find((v) => v.user === user && v.view.type === 'home');
  conversations.push({
    id: `home:${user}`,
    kind: 'home',
    name: appName,
    html:
      home === undefined
        ? '<div class="empty">The app has not published a Home tab for you yet.</div>'
        : `<div class="home" data-surface="${escapeHtml(JSON.stringify({ kind: 'view', viewId: home.id }))}">${renderBlocks(home.view.blocks, ctx)}</div>`,
  });

  const top = fake.viewStack(user).at(-1);
  let modal: Snapshot['modal'] = null;
  if (top !== undefined) {
    const errors = side.modalErrors.get(top.id);
    const view = top.view;
    const title =
      typeof (view.title as { text?: unknown })?.text === 'string'
        ? String((view.title as { text: string }).text)
        : '';
    const submit = (view.submit as { text?: unknown } | undefined)?.text;
    const close = (view.close as { text?: unknown } | undefined)?.text;
    const stackDepth = fake.viewStack(user).length;
    modal = {
      id: top.id,
      hash: top.hash,
      html: [
        `<div class="modal" role="dialog" aria-label="${escapeHtml(title)}" data-view="${escapeHtml(top.id)}" data-surface="${escapeHtml(JSON.stringify({ kind: 'view', viewId: top.id }))}">`,
        `<div class="modal-head">${stackDepth > 1 ? '<button type="button" class="link" data-act="modal-back" aria-label="Back">←</button>' : ''}<h2>${escapeHtml(title)}</h2><button type="button" class="link x" data-act="modal-close" aria-label="Close">×</button></div>`,
        errors?.banner ? `<div class="banner" role="alert">${escapeHtml(errors.banner)}</div>` : '',
        `<div class="modal-body">${renderBlocks(view.blocks, { ...ctx, errors: errors?.fields ?? {}, values: side.valuesOf(top.id) })}</div>`,
        '<div class="modal-foot">',
        `<button type="button" class="btn" data-act="modal-cancel">${escapeHtml(typeof close === 'string' ? close : 'Cancel')}</button>`,
        typeof submit === 'string'
          ? `<button type="button" class="btn primary" data-act="modal-submit">${escapeHtml(submit)}</button>`
          : '',
        '</div></div>',
      ].join(''),
    };
  }

  const toasts = notices
    .filter((n) => n.channel === null)
    .map(
      (n) =>
        `<div class="toast">${escapeHtml(n.text)} <button type="button" class="link" data-act="dismiss-notice" data-id="${escapeHtml(n.id)}">Dismiss</button></div>`,
    )
    .join('');
  const refusals = side.refusals
    .slice()
    .reverse()
    .map(
      (r) =>
        `<div class="refusal"><b>${escapeHtml(r.where)}</b>: <code>${escapeHtml(r.error)}</code>${
          r.messages.length > 0
            ? `<ul>${r.messages.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>`
            : ''
        }<div class="when">${clock(tsOf(r.at))}</div></div>`,
    )
    .join('');
  return {
    user,
    language,
    conversations,
    modal,
    toasts,
    refusals,
    explain: people.explain?.[user] ?? '',
    destinations: sources.destinations ? destinationsHtml(sources.destinations.view()) : '',
  };
}

function messageHtml(
  author: string,
  ts: string,
  body: string,
  options: { edited?: boolean; surface?: string; ephemeral?: string; after?: string },
): string {
  const surface = options.surface === undefined ? '' : ` data-surface="${escapeHtml(options.surface)}"`;
  const ephemeral = options.ephemeral !== undefined;
  const head = [
    `<span class="author">${escapeHtml(author)}</span>`,
    author === 'Slackbot' ? '' : author.length > 0 ? '<span class="app-badge">APP</span>' : '',
    `<span class="when">${clock(ts)}</span>`,
    options.edited ? '<span class="when">(edited)</span>' : '',
  ].join('');
  const only = ephemeral ? `<div class="only-you">Only visible to you · ${options.ephemeral}</div>` : '';
  return `<div class="message${ephemeral ? ' ephemeral' : ''}" data-ts="${escapeHtml(ts)}"${surface}>${only}<div class="msg-head">${head}</div><div class="msg-body">${body}</div>${options.after ?? ''}</div>`;
}
