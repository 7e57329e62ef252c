/**
 * `/chkey review` (product.md §8): the keys an admin should look at, each with why and with the
 * key menu, paged like the key list (≤ 50 blocks a message, one block id per key).
 */
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { ReviewEntry, ReviewReason } from '../core/ports.js';
import { clip, fitText, LIMIT, md, plain, plural, relativeDays, slackDate } from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { keySection } from './key-list.js';

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
  /** `never` when the policy turned staleness off; shown so "no stale keys" is not misread. */
  staleAfter: string;
  notice?: string;
}

export interface ReviewMessage {
  text: string;
  blocks: KnownBlock[];
  response_type: 'ephemeral';
}

function reasonText(reason: ReviewReason, entry: ReviewEntry, now: Date): string {
  switch (reason) {
    case 'stale':
      return entry.lastActivity
        ? `💤 not used since ${slackDate(entry.lastActivity)} (${relativeDays(now, entry.lastActivity)})`
        : '💤 never used';
    case 'no_owner':
      return '👤 no Keyhouse owner (made outside Keyhouse)';
    case 'owner_deactivated':
      return '👤 its owner is deactivated in Slack';
    case 'retiring':
      return '🔁 retiring after a rotation';
  }
}

/** One page of the review. */
export function reviewMessage(listing: ReviewListing): ReviewMessage {
  const { page, pageCount, total, now } = listing;
  const blocks: KnownBlock[] = [{ type: 'header', text: plain('Keys to review', LIMIT.header) }];
  if (listing.notice) blocks.push({ type: 'section', text: md(clip(listing.notice, LIMIT.text)) });
  if (listing.entries.length === 0) {
    blocks.push({
      type: 'section',
      text: md(
        total > 0
          ? 'No keys on this page any more.'
          : `Nothing to review: no stale keys (unused for ${listing.staleAfter}), none without an owner, none retiring.`,
      ),
    });
  }
  for (const item of listing.entries) {
    blocks.push(keySection(item.entry, { scope: 'review', page }, now));
    const why = item.reasons.map((r) => reasonText(r, item, now));
    if (item.fingerprint === false) why.push('🔏 no fingerprint of its secret on record');
    blocks.push({ type: 'context', elements: [md(fitText(why.join(' · '), LIMIT.text))] });
  }
  const paged = pageCount > 1;
  if (total > 0) {
    const count = plural(total, 'key');
    blocks.push({
      type: 'context',
      elements: [md(paged ? `Page ${page + 1} of ${pageCount} · ${count}` : count)],
    });
  }
  if (paged) blocks.push(reviewNav(page, pageCount));
  const summary = `Keys to review (${total})${paged ? ` — page ${page + 1} of ${pageCount}` : ''}`;
  const text = listing.notice ? `${clip(listing.notice, 1000)} — ${summary}` : summary;
  return { text: fitText(text, LIMIT.messageText), blocks, response_type: 'ephemeral' };
}

function reviewNav(page: number, pageCount: number): ActionsBlock {
  const button = (label: string, target: number): Button => ({
    type: 'button',
    action_id: label === 'Previous' ? ACTION.reviewPagePrevious : ACTION.reviewPage,
    text: plain(label, LIMIT.buttonText),
    value: String(target),
  });
  const elements: Button[] = [];
  if (page > 0) elements.push(button('Previous', page - 1));
  if (page < pageCount - 1) elements.push(button('Next', page + 1));
  return { type: 'actions', block_id: BLOCK.reviewNav, elements };
}
