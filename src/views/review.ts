/**
 * `/chkey review` (product.md §8): the keys an admin should look at, each with why and with the
 * key menu, paged like the key list (≤ 50 blocks a message, one block id per key).
 */
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { ReviewEntry, ReviewReason } from '../core/ports.js';
import type { Messages } from '../i18n/index.js';
import { durationText, fitText, LIMIT, md, plain } from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { countLine, dateWithDays, keySection, noticeSection, withNotice } from './key-list.js';

/**
 * Each key takes a section and a context line: header + notice + 20 × 2 + page line + nav = 44
 * blocks, within a message's 50.
 */
export const REVIEW_PER_PAGE = 20;

export interface ReviewListing {
  entries: ReviewEntry[];
  page: number;
  pageCount: number;
  total: number;
  now: Date;
  /** The policy's `staleAfter`; null when it turned staleness off, shown so "no stale keys" is not misread. */
  staleAfterMs: number | null;
  notice?: string;
}

export interface ReviewMessage {
  text: string;
  blocks: KnownBlock[];
  response_type: 'ephemeral';
}

function reasonText(m: Messages, reason: ReviewReason, entry: ReviewEntry, now: Date): string {
  switch (reason) {
    case 'stale':
      return entry.lastActivity
        ? m.t('review.stale', { when: dateWithDays(m, now, entry.lastActivity) })
        : m.t('review.staleNeverUsed');
    case 'no_owner':
      return m.t('review.noOwner');
    case 'owner_deactivated':
      return m.t('review.ownerDeactivated');
    case 'retiring':
      return m.t('review.retiring');
  }
}

/** One page of the review. */
export function reviewMessage(m: Messages, listing: ReviewListing): ReviewMessage {
  const { page, pageCount, total, now } = listing;
  const title = m.t('review.title');
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(title, LIMIT.header) }];
  if (listing.notice) blocks.push(noticeSection(listing.notice));
  if (listing.entries.length === 0) {
    let nothing = m.t('keys.emptyPage');
    if (total === 0) {
      nothing =
        listing.staleAfterMs === null
          ? m.t('review.nothingStaleOff')
          : m.t('review.nothing', { staleAfter: durationText(m, listing.staleAfterMs) });
    }
    blocks.push({ type: 'section', text: md(nothing) });
  }
  for (const item of listing.entries) {
    blocks.push(keySection(m, item.entry, { scope: 'review', page }, now));
    const why = item.reasons.map((r) => reasonText(m, r, item, now));
    if (item.fingerprint === false) why.push(m.t('review.noFingerprint'));
    blocks.push({ type: 'context', elements: [md(fitText(why.join(' · '), LIMIT.text))] });
  }
  const paged = pageCount > 1;
  if (total > 0) blocks.push({ type: 'context', elements: [md(countLine(m, page, pageCount, total))] });
  if (paged) blocks.push(reviewNav(m, page, pageCount));
  const summary = paged
    ? m.t('keys.summaryPaged', { title, total, page: page + 1, pages: pageCount })
    : m.t('keys.summary', { title, total });
  return { text: withNotice(listing.notice, summary), blocks, response_type: 'ephemeral' };
}

function reviewNav(m: Messages, page: number, pageCount: number): ActionsBlock {
  const button = (actionId: string, label: string, target: number): Button => ({
    type: 'button',
    action_id: actionId,
    text: plain(label, LIMIT.buttonText),
    value: String(target),
  });
  const elements: Button[] = [];
  if (page > 0) elements.push(button(ACTION.reviewPagePrevious, m.t('keys.previous'), page - 1));
  if (page < pageCount - 1) elements.push(button(ACTION.reviewPage, m.t('keys.next'), page + 1));
  return { type: 'actions', block_id: BLOCK.reviewNav, elements };
}
