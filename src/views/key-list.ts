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
import {
  clip,
  fitText,
  formatInstant,
  LIMIT,
  md,
  plain,
  plural,
  calendarDays as relativeDays,
  slackDate,
} from './format.js';
import { ACTION, BLOCK, type KeyVerb, keyBlockId } from './ids.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';
import { servicesLine, UNCONVERTED_WORDS } from './services.js';

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
export function keyListMessage(listing: KeyListing, options: KeyListOptions = {}): KeyListMessage {
  const { scope, page, pageCount, total } = listing;
  const title = scope === 'mine' ? 'Your ClickHouse keys' : 'All ClickHouse keys';
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(title, LIMIT.header) }];
  if (listing.notice) {
    blocks.push({ type: 'section', text: md(clip(listing.notice, LIMIT.text)) });
  }

  if (listing.entries.length > 0) {
    blocks.push(...keyBlocks(listing.entries, { scope, page }, listing.now));
  } else {
    blocks.push({
      type: 'section',
      text: md(emptyText(listing, options.mayRequest === false ? null : (options.command ?? '/chkey'))),
    });
  }

  const paged = pageCount > 1;
  if (total > 0) {
    const count = plural(total, 'key');
    const line = paged ? `Page ${page + 1} of ${pageCount} · ${count}` : count;
    blocks.push({ type: 'context', elements: [md(line)] });
  }
  if (paged) blocks.push(pageNav(scope, page, pageCount));

  const summary = `${title} (${total})${paged ? ` — page ${page + 1} of ${pageCount}` : ''}`;
  const text = listing.notice ? `${clip(listing.notice, 1000)} — ${summary}` : summary;
  return { text: fitText(text, LIMIT.messageText), blocks, response_type: 'ephemeral' };
}

function emptyText(listing: KeyListing, command: string | null): string {
  // A page emptied under the viewer (keys deleted since) is not the same as having no keys.
  if (listing.total > 0) return 'No keys on this page any more.';
  if (listing.scope === 'mine') {
    if (command === null) return 'You have no keys.';
    return `You have no keys. Request one with \`${escapeMrkdwn(command)}\`.`;
  }
  return 'There are no API keys in this organization.';
}

function pageNav(scope: ListScope, page: number, pageCount: number): ActionsBlock {
  const button = (actionId: string, label: string, target: number): Button => ({
    type: 'button',
    action_id: actionId,
    text: plain(label, LIMIT.buttonText),
    value: `${scope}:${target}`,
  });
  const elements: Button[] = [];
  if (page > 0) elements.push(button(ACTION.listPagePrevious, 'Previous', page - 1));
  if (page < pageCount - 1) elements.push(button(ACTION.listPage, 'Next', page + 1));
  return { type: 'actions', block_id: BLOCK.listNav, elements };
}

/** Where a key section is shown: the block id carries it, so a menu click knows which list to redraw. */
export interface KeyPlace {
  /** `review` for `/chkey review`, whose pages are rendered by `review.ts`. */
  scope: ListScope | 'review';
  page: number;
}

/** Key sections separated by dividers (2 × n − 1 blocks), for the list and the Home tab alike. */
export function keyBlocks(entries: readonly KeyEntry[], place: KeyPlace, now: Date): KnownBlock[] {
  return entries.flatMap((entry, index): KnownBlock[] =>
    index === 0 ? [keySection(entry, place, now)] : [{ type: 'divider' }, keySection(entry, place, now)],
  );
}

/**
 * One key: name and suffix, role, state, expiry, owner, last use; with the overflow menu of
 * what the viewer may do, unless that is fewer than the two options Slack's overflow needs.
 */
export function keySection(entry: KeyEntry, place: KeyPlace, now: Date): SectionBlock {
  const { key } = entry;
  const suffix = keySuffixText(key.keySuffix);
  const state = entry.leaked
    ? `🚨 *leaked* · ${key.state === 'enabled' ? 'enabled' : 'disabled'}`
    : key.state === 'enabled'
      ? 'enabled'
      : '⏸️ *disabled*';
  const who = entry.self ? "🔒 *Keyhouse's own key* (manage it in the ClickHouse console)" : ownerText(entry);
  const lines = [
    `${keyNameText(key)}${suffix ? ` ${suffix}` : ''}`,
    `${clip(entry.roleLabel, 200)} · ${state} · ${keyExpiryText(entry, now)}`,
    `${who} · ${usedText(key.usedAt, now)}`,
  ];
  if (entry.services) {
    const { access, chosen, current } = entry.services;
    lines.push(servicesLine(UNCONVERTED_WORDS, access, chosen, current));
  }
  if (entry.retiring) lines.push(retiringText(entry.retiring, now));
  const text = lines.join('\n');

  const section: SectionBlock = {
    type: 'section',
    block_id: keyBlockId(place.scope, place.page, key.id),
    text: md(fitText(text, LIMIT.text)),
  };
  const options = menuOptions(entry);
  if (options.length >= OVERFLOW_MIN) {
    // No `confirm` here: Slack applies it to the whole menu, not one option; Delete opens its own dialog.
    section.accessory = { type: 'overflow', action_id: ACTION.keyMenu, options };
  }
  return section;
}

/** A key's name in bold, escaped; `_unnamed_` for a key named nothing in the console. */
export function keyNameText(key: ApiKey): string {
  return key.name.trim() === '' ? '_unnamed_' : `*${clip(key.name, 200)}*`;
}

/** `` `…WXYZ` `` for a key's last four Key ID characters, or '' when there are none. */
export function keySuffixText(suffix: string | null): string {
  // The suffix sits in a code span, so a backtick in it would end the span early.
  return suffix ? `\`…${clip(suffix.replace(/`/g, "'"), 16)}\`` : '';
}

function menuOptions(entry: KeyEntry): PlainTextOption[] {
  if (entry.self) return [];
  const { key, can } = entry;
  const option = (label: string, verb: KeyVerb): PlainTextOption => ({
    text: plain(label, LIMIT.optionText),
    value: `${verb}:${key.id}`,
  });
  const options: PlainTextOption[] = [];
  if (can.toggle) {
    options.push(key.state === 'enabled' ? option('Disable', 'disable') : option('Enable', 'enable'));
  }
  if (can.edit) options.push(option('Edit', 'edit'));
  if (can.rotate) options.push(option('Rotate', 'rotate'));
  if (can.delete) options.push(option('Delete', 'delete'));
  // At most five: Disable/Enable, Edit, Rotate, Delete, Reassign (Slack's overflow limit); a leaked
  // key offers neither Enable nor Edit, so its admin's Lift leak mark fits.
  if (can.lift) options.push(option('Lift leak mark', 'lift'));
  if (can.reassign) options.push(option('Reassign', 'reassign'));
  // ClickHouse ids are UUIDs; an id too long for an option value would make Slack refuse the whole list.
  if (options.some((o) => (o.value ?? '').length > LIMIT.optionValue)) return [];
  return options;
}

/** `🔁 retiring <date> (in 1 day) · successor …WXYZ`, or `retired` once the overlap ended. */
export function retiringText(retiring: KeyRetiring, now: Date): string {
  const successor = `successor ${keySuffixText(retiring.successorSuffix) || 'unknown'}`;
  if (retiring.stage === 'disabled') return `🔁 *retired* by rotation · ${successor}`;
  return `🔁 *retiring* ${slackDate(retiring.at)} (${relativeDays(now, retiring.at)}) · ${successor}`;
}

/** `owner <@U…>`, or `created outside Keyhouse` for a key nobody requested through Keyhouse. */
export function ownerText(entry: KeyEntry): string {
  return entry.ownerId ? `owner ${mention(entry.ownerId)}` : 'created outside Keyhouse';
}

/**
 * `expires <date> (in 30 days)`, `⚠️ expired <date> (3 days ago)`, `never expires`; without the
 * relative part when no `now` is given. The workflow decides `expired`, with its clock.
 */
export function keyExpiryText(entry: KeyEntry, now: Date | null): string {
  const { expireAt } = entry.key;
  if (expireAt === null) return entry.expired ? '⚠️ *expired*' : 'never expires';
  const at = new Date(expireAt);
  let when = formatInstant(at);
  if (!Number.isNaN(at.getTime())) when = now ? `${slackDate(at)} (${relativeDays(now, at)})` : slackDate(at);
  return entry.expired ? `⚠️ *expired* ${when}` : `expires ${when}`;
}

function usedText(usedAt: string | null, now: Date): string {
  if (usedAt === null) return 'never used';
  const at = new Date(usedAt);
  if (Number.isNaN(at.getTime())) return 'last used at an unknown time';
  return `last used ${slackDate(at)} (${relativeDays(now, at)})`;
}
