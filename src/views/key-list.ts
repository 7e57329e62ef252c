/**
 * The key list (product.md §1, "Key list"): one section per key with its facts and, when the
 * viewer may act on it, an overflow menu. The section renderer is shared with the App Home tab.
 *
 * The menu carries only `<verb>:<key uuid>` and the block id says where the click came from;
 * the handler checks the viewer again and re-reads the key, so nothing here grants anything.
 */
import type { ActionsBlock, Button, KnownBlock, PlainTextOption, SectionBlock } from '@slack/types';
import type { ApiKey } from '../core/clickhouse.js';
import type { KeyEntry, KeyListing, KeyRetiring, ListScope } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { keyPlaceText } from './delivery.js';
import { clip, daysText, fitText, LIMIT, md, plain, slackDate } from './format.js';
import { ACTION, BLOCK, type KeyVerb, keyBlockId } from './ids.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';
import { withoutDateTokens } from './outcomes.js';
import { servicesLine } from './services.js';

/**
 * Keys on one page of the list. Each key takes a section and a divider, so a full page is
 * header + notice + 20 × 2 − 1 + page line + nav = 43 blocks, within a message's 50; and 100
 * keys make 5 pages.
 */
export const KEYS_PER_PAGE = 20;

/** Slack's overflow menu takes 2 to 5 options (slack-platform.md §3). */
const OVERFLOW_MIN = 2;

export interface KeyListOptions {
  /** The slash command, for "Request one with /chkey". */
  command?: string;
  /** Whether the viewer may request a key (default yes); if not, no "Request one" is offered. */
  mayRequest?: boolean;
}

/** An ephemeral key list, as posted to a `response_url` or returned from the slash command. */
export interface KeyListMessage {
  text: string;
  blocks: KnownBlock[];
  response_type: 'ephemeral';
}

/**
 * The slice of `items` shown on `page` (zero-based). A page out of range, or not a whole number,
 * is clamped, so a stale Next button after keys were deleted still shows the last page.
 */
export function pageOf<T>(items: T[], page: number): { items: T[]; page: number; pageCount: number } {
  const pageCount = Math.max(1, Math.ceil(items.length / KEYS_PER_PAGE));
  const whole = Number.isFinite(page) ? Math.trunc(page) : 0;
  const clamped = Math.min(Math.max(whole, 0), pageCount - 1);
  const start = clamped * KEYS_PER_PAGE;
  return { items: items.slice(start, start + KEYS_PER_PAGE), page: clamped, pageCount };
}

/** Renders one page of a key list: header, the notice about what just happened, the keys, paging. */
export function keyListMessage(
  m: Messages,
  listing: KeyListing,
  options: KeyListOptions = {},
): KeyListMessage {
  const { scope, page, pageCount, total } = listing;
  const title = m.t(scope === 'mine' ? 'keys.titleMine' : 'keys.titleAll');
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(title, LIMIT.header) }];
  if (listing.notice) blocks.push(noticeSection(listing.notice));

  if (listing.entries.length > 0) {
    blocks.push(...keyBlocks(m, listing.entries, { scope, page }, listing.now));
  } else {
    blocks.push({
      type: 'section',
      text: md(emptyText(m, listing, options.mayRequest === false ? null : (options.command ?? '/chkey'))),
    });
  }

  const paged = pageCount > 1;
  if (total > 0) blocks.push({ type: 'context', elements: [md(countLine(m, page, pageCount, total))] });
  if (paged) blocks.push(pageNav(m, scope, page, pageCount));

  const summary = paged
    ? m.t('keys.summaryPaged', { title, total, page: page + 1, pages: pageCount })
    : m.t('keys.summary', { title, total });
  return { text: withNotice(listing.notice, summary), blocks, response_type: 'ephemeral' };
}

/**
 * The line about what was just done: mrkdwn written by the views (`doneText`), its names escaped
 * there, so it is shown as it is and its mentions work.
 */
export function noticeSection(notice: string): KnownBlock {
  return { type: 'section', text: md(fitText(notice, LIMIT.text)) };
}

/** A surface's `text` with the notice first, its date tokens as plain dates (notifications show it raw). */
export function withNotice(notice: string | undefined, summary: string): string {
  const text = notice ? `${fitText(withoutDateTokens(notice), 1000)} — ${summary}` : summary;
  return fitText(text, LIMIT.messageText);
}

/** `3 keys`, or `Page 2 of 5 · 100 keys` when paged. */
export function countLine(m: Messages, page: number, pageCount: number, total: number): string {
  return pageCount > 1
    ? m.t('keys.pageLine', { page: page + 1, pages: pageCount, total })
    : m.t('keys.count', { total });
}

function emptyText(m: Messages, listing: KeyListing, command: string | null): string {
  // A page emptied under the viewer (keys deleted since) is not the same as having no keys.
  if (listing.total > 0) return m.t('keys.emptyPage');
  if (listing.scope === 'mine') {
    // "Request one" only to someone who may (issue #20 item 8).
    if (command === null) return m.t('keys.emptyMineNoRequest');
    return m.t('keys.emptyMine', { command: escapeMrkdwn(command) });
  }
  return m.t('keys.emptyAll');
}

function pageNav(m: Messages, scope: ListScope, page: number, pageCount: number): ActionsBlock {
  const button = (actionId: string, label: string, target: number): Button => ({
    type: 'button',
    action_id: actionId,
    text: plain(label, LIMIT.buttonText),
    value: `${scope}:${target}`,
  });
  const elements: Button[] = [];
  if (page > 0) elements.push(button(ACTION.listPagePrevious, m.t('keys.previous'), page - 1));
  if (page < pageCount - 1) elements.push(button(ACTION.listPage, m.t('keys.next'), page + 1));
  return { type: 'actions', block_id: BLOCK.listNav, elements };
}

/** Where a key section is shown: the block id carries it, so a menu click knows which list to redraw. */
export interface KeyPlace {
  /** `review` for `/chkey review`, whose pages are rendered by `review.ts`. */
  scope: ListScope | 'review';
  page: number;
}

/** Key sections separated by dividers (2 × n − 1 blocks), for the list and the Home tab alike. */
export function keyBlocks(
  m: Messages,
  entries: readonly KeyEntry[],
  place: KeyPlace,
  now: Date,
): KnownBlock[] {
  return entries.flatMap((entry, index): KnownBlock[] =>
    index === 0
      ? [keySection(m, entry, place, now)]
      : [{ type: 'divider' }, keySection(m, entry, place, now)],
  );
}

/**
 * One key: name and suffix, role, state, expiry, owner, last use; with the overflow menu of
 * what the viewer may do, unless that is fewer than the two options Slack's overflow needs.
 */
export function keySection(m: Messages, entry: KeyEntry, place: KeyPlace, now: Date): SectionBlock {
  const { key } = entry;
  const suffix = keySuffixText(key.keySuffix);
  const state = entry.leaked
    ? m.t('keys.leaked', { state: key.state })
    : m.t(key.state === 'enabled' ? 'keys.enabled' : 'keys.disabled');
  const who = entry.self ? m.t('keys.selfKey') : ownerText(m, entry);
  const lines = [
    `${keyNameText(m, key)}${suffix ? ` ${suffix}` : ''}`,
    `${clip(entry.roleLabel, 200)} · ${state} · ${keyExpiryText(m, entry, now)}`,
    `${who} · ${usedText(m, key.usedAt, now)}`,
  ];
  if (entry.services) {
    const { access, chosen, current } = entry.services;
    lines.push(servicesLine(m, access, chosen, current));
  }
  if (entry.retiring) lines.push(retiringText(m, entry.retiring, now));
  if (entry.destination) lines.push(`📦 ${keyPlaceText(m, entry.destination)}`);
  const text = lines.join('\n');

  const section: SectionBlock = {
    type: 'section',
    block_id: keyBlockId(place.scope, place.page, key.id),
    text: md(fitText(text, LIMIT.text)),
  };
  const options = menuOptions(m, entry);
  if (options.length >= OVERFLOW_MIN) {
    // No `confirm` here: Slack applies it to the whole menu, not one option; Delete opens its own dialog.
    section.accessory = { type: 'overflow', action_id: ACTION.keyMenu, options };
  }
  return section;
}

/** A key's name in bold, escaped; `_unnamed_` for a key named nothing in the console. */
export function keyNameText(m: Messages, key: Pick<ApiKey, 'name'>): string {
  return key.name.trim() === '' ? m.t('keys.unnamed') : `*${clip(key.name, 200)}*`;
}

/** `` `…WXYZ` `` for a key's last four Key ID characters, or '' when there are none. */
export function keySuffixText(suffix: string | null): string {
  // The suffix sits in a code span, so a backtick in it would end the span early.
  return suffix ? `\`…${clip(suffix.replace(/`/g, "'"), 16)}\`` : '';
}

function menuOptions(m: Messages, entry: KeyEntry): PlainTextOption[] {
  if (entry.self) return [];
  const { key, can } = entry;
  const option = (label: string, verb: KeyVerb): PlainTextOption => ({
    text: plain(label, LIMIT.optionText),
    value: `${verb}:${key.id}`,
  });
  const options: PlainTextOption[] = [];
  if (can.toggle) {
    options.push(
      key.state === 'enabled'
        ? option(m.t('keys.menuDisable'), 'disable')
        : option(m.t('keys.menuEnable'), 'enable'),
    );
  }
  if (can.edit) options.push(option(m.t('keys.menuEdit'), 'edit'));
  if (can.rotate) options.push(option(m.t('keys.menuRotate'), 'rotate'));
  if (can.delete) options.push(option(m.t('keys.menuDelete'), 'delete'));
  // At most five: Disable/Enable, Edit, Rotate, Delete, Reassign (Slack's overflow limit); a leaked
  // key offers neither Enable nor Edit, so its admin's Lift leak mark fits.
  if (can.lift) options.push(option(m.t('keys.menuLift'), 'lift'));
  if (can.reassign) options.push(option(m.t('keys.menuReassign'), 'reassign'));
  // ClickHouse ids are UUIDs; an id too long for an option value would make Slack refuse the whole list.
  if (options.some((o) => (o.value ?? '').length > LIMIT.optionValue)) return [];
  return options;
}

/** `🔁 retiring <date> (tomorrow) · successor …WXYZ`, or `retired` once the overlap ended. */
export function retiringText(m: Messages, retiring: KeyRetiring, now: Date): string {
  const successor = keySuffixText(retiring.successorSuffix) || m.t('keys.successorUnknown');
  if (retiring.stage === 'disabled') return m.t('keys.retired', { successor });
  return m.t('keys.retiring', { when: dateWithDays(m, now, retiring.at), successor });
}

/** `owner <@U…>`, or `created outside Keyhouse` for a key nobody requested through Keyhouse. */
export function ownerText(m: Messages, entry: Pick<KeyEntry, 'ownerId'>): string {
  return entry.ownerId ? m.t('keys.owner', { user: mention(entry.ownerId) }) : m.t('keys.outside');
}

/**
 * `expires <date> (in 30 days)`, `⚠️ expired <date> (3 days ago)`, `never expires`; without the
 * relative part when no `now` is given. The workflow decides `expired`, with its clock.
 */
export function keyExpiryText(
  m: Messages,
  entry: Pick<KeyEntry, 'key' | 'expired'>,
  now: Date | null,
): string {
  const { expireAt } = entry.key;
  if (expireAt === null) return m.t(entry.expired ? 'keys.expired' : 'keys.neverExpires');
  const at = new Date(expireAt);
  let when = m.t('keys.unknownTime');
  if (!Number.isNaN(at.getTime())) when = now ? dateWithDays(m, now, at) : slackDate(at);
  return entry.expired ? m.t('keys.expiredAt', { when }) : m.t('keys.expires', { when });
}

function usedText(m: Messages, usedAt: string | null, now: Date): string {
  if (usedAt === null) return m.t('keys.neverUsed');
  const at = new Date(usedAt);
  if (Number.isNaN(at.getTime())) return m.t('keys.lastUsedUnknown');
  return m.t('keys.lastUsed', { when: dateWithDays(m, now, at) });
}

/** A date token with its days from today: `<!date^…|2026-12-27 14:00 UTC> (in 30 days)`. */
export function dateWithDays(m: Messages, now: Date, at: Date): string {
  // format.ts's daysText: the reader's calendar days.
  return `${slackDate(at)} (${daysText(m, now, at)})`;
}
