/**
 * Messages of the timed lifecycle (product.md §8): expiry warnings and notices to a key's owner,
 * the stale-key offer and its outcome, reminders under a waiting approval, and the offboarding
 * report for the security channel. Buttons carry only the key UUID; handlers re-read the rest.
 */
import type { ActionsBlock, KnownBlock } from '@slack/types';
import type { KeyRequest } from '../core/model.js';
import type {
  ExpiredDeletion,
  ExpiredNotice,
  ExpiryWarning,
  KeyFacts,
  Nudge,
  OffboardingOutcome,
  OffboardingReport,
  Reactivation,
  StaleOffer,
  StaleOutcome,
} from '../core/timer-ports.js';
import { Catalog } from '../i18n/index.js';
import {
  clip,
  fitText,
  formatInstant,
  LIMIT,
  md,
  plain,
  plural,
  relativeDays,
  type SlackMessage,
  slackDate,
} from './format.js';
import { ACTION, BLOCK, offboardBlockId } from './ids.js';
import { keySection } from './key-list.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';
import { doneText } from './outcomes.js';

// English until this view is converted (the next commit).
const englishForNow = new Catalog().messages({ locale: 'en', timeZone: 'UTC' });

/** A message whose `text` says it all. */
export interface TextMessage {
  text: string;
}

/** `*etl-reader* (…WXYZ)`, escaped. */
function keyLabel(key: KeyFacts): string {
  const name = key.keyName.trim() === '' ? '_unnamed_' : `*${clip(key.keyName, 200)}*`;
  return `${name} (…${clip(key.keySuffix, 8)})`;
}

/** The same without mrkdwn, for the notification `text`. */
function keyPlain(key: KeyFacts): string {
  return `${clip(key.keyName, 200)} (…${clip(key.keySuffix, 8)})`;
}

/** A member id of the policy as a mention: `<@U…>` or `<!subteam^S…>`. */
export function memberMention(id: string): string {
  return /^S[A-Z0-9]+$/.test(id) ? `<!subteam^${id}>` : mention(id);
}

/** Before a key expires: what, when, and Extend / Rotate. */
export function expiryWarningMessage(warning: ExpiryWarning): SlackMessage {
  const { key, expireAt, now } = warning;
  const inDays = relativeDays(now, expireAt);
  const head =
    `⏳ Your ClickHouse API key ${keyLabel(key)} expires ${slackDate(expireAt)} (${inDays}).\n` +
    `Role: ${clip(key.roleLabel, 200)}`;
  const actions: ActionsBlock = {
    type: 'actions',
    block_id: BLOCK.expiryActions,
    elements: [
      {
        type: 'button',
        action_id: ACTION.extendKey,
        text: plain('Extend', LIMIT.buttonText),
        style: 'primary',
        value: key.keyId,
      },
      {
        type: 'button',
        action_id: ACTION.rotateKey,
        text: plain('Rotate', LIMIT.buttonText),
        value: key.keyId,
      },
    ],
  };
  return {
    text: `Your ClickHouse API key ${keyPlain(key)} expires ${formatInstant(expireAt)} (${inDays}).`,
    blocks: [
      { type: 'section', text: md(fitText(head, LIMIT.text)) },
      {
        type: 'context',
        elements: [md('*Extend* asks for a later expiry; *Rotate* makes a successor key with a new secret.')],
      },
      actions,
    ],
  };
}

/** Once a key has expired. */
export function keyExpiredMessage(notice: ExpiredNotice): SlackMessage {
  const { key, expireAt, now, deleteAt } = notice;
  const when = `${slackDate(expireAt)} (${relativeDays(now, expireAt)})`;
  const deletion = deleteAt
    ? ` Keyhouse will delete it ${slackDate(deleteAt)} (${relativeDays(now, deleteAt)}).`
    : '';
  return {
    text: `Your ClickHouse API key ${keyPlain(key)} expired ${formatInstant(expireAt)}.`,
    blocks: [
      {
        type: 'section',
        text: md(
          fitText(
            `⌛ Your ClickHouse API key ${keyLabel(key)} expired ${when}; it no longer works.${deletion}`,
            LIMIT.text,
          ),
        ),
      },
    ],
  };
}

/** After the policy deleted an expired key. */
export function expiredKeyDeletedMessage(notice: ExpiredDeletion): TextMessage {
  const { key, expireAt, now } = notice;
  return {
    text:
      `🗑️ Your ClickHouse API key ${keyPlain(key)}, expired ${formatInstant(expireAt)} ` +
      `(${relativeDays(now, expireAt)}), was deleted as the policy asks.`,
  };
}

/** A key not used for a long time: Keep, Disable or Delete. */
export function staleKeyMessage(offer: StaleOffer): SlackMessage {
  const { key, since, now } = offer;
  const when = `${slackDate(since)} (${relativeDays(now, since)})`;
  const what = offer.neverUsed
    ? `has never been used since it was created ${when}`
    : `not used since ${when}`;
  const button = (label: string, actionId: string, style?: 'primary' | 'danger') => ({
    type: 'button' as const,
    action_id: actionId,
    text: plain(label, LIMIT.buttonText),
    value: key.keyId,
    ...(style ? { style } : {}),
  });
  return {
    text: `Your ClickHouse API key ${keyPlain(key)} was ${offer.neverUsed ? 'never used' : `not used since ${formatInstant(since)}`}. Keep it?`,
    blocks: [
      {
        type: 'section',
        text: md(
          fitText(
            `💤 Your ClickHouse API key ${keyLabel(key)} ${offer.neverUsed ? what : `was ${what}`}.\n` +
              `Role: ${clip(key.roleLabel, 200)}`,
            LIMIT.text,
          ),
        ),
      },
      {
        type: 'context',
        elements: [
          md(
            `*Keep* leaves it as it is and asks again ${slackDate(offer.askAgainAt)} if it stays unused; ` +
              '*Disable* stops it working (it can be enabled again); *Delete* removes it for good.',
          ),
        ],
      },
      {
        type: 'actions',
        block_id: BLOCK.staleActions,
        elements: [
          button('Keep', ACTION.staleKeep, 'primary'),
          button('Disable', ACTION.staleDisable),
          {
            ...button('Delete', ACTION.staleDelete, 'danger'),
            confirm: {
              title: plain('Delete this key?', 100),
              text: plain(
                `${clip(key.keyName, 200)} (…${clip(key.keySuffix, 8)}) stops working at once, for good.`,
              ),
              confirm: plain('Delete', 30),
              deny: plain('Cancel', 30),
              style: 'danger',
            },
          },
        ],
      },
    ],
  };
}

/** The stale-key DM rewritten with what its owner chose; no buttons left. */
export function staleOutcomeMessage(outcome: StaleOutcome): SlackMessage {
  const line =
    outcome.kind === 'kept'
      ? `✅ ${mention(outcome.by)} kept ${keyLabel(outcome.key)}. Keyhouse asks again ${slackDate(outcome.askAgainAt)} if it stays unused.`
      : `${outcome.kind === 'disabled' ? '⏸️' : '🗑️'} ${escapeMrkdwn(doneText(englishForNow, outcome.done))} (by ${mention(outcome.by)})`;
  const text =
    outcome.kind === 'kept'
      ? `Kept ${keyPlain(outcome.key)}; asks again ${formatInstant(outcome.askAgainAt)} if it stays unused.`
      : escapeMrkdwn(doneText(englishForNow, outcome.done));
  return { text, blocks: [{ type: 'section', text: md(fitText(line, LIMIT.text)) }] };
}

/** The thread reply under an approval message still waiting: approvers, then admins. */
export function nudgeNote(nudge: Nudge): TextMessage {
  const { request, now } = nudge;
  const who = nudge.mention.length > 0 ? nudge.mention.map(memberMention).join(', ') : 'approvers';
  const waited = relativeDays(now, request.createdAt).replace(/ ago$/, '');
  const name = clip(request.keyName, 200);
  const text =
    nudge.kind === 'remind'
      ? `🔔 ${who}: this request for *${name}* from ${mention(request.requesterId)} has been waiting ${waited}.`
      : `📣 ${who}: this request for *${name}* from ${mention(request.requesterId)} has been waiting ${waited} ` +
        'and still needs a decision.';
  return { text: fitText(text, LIMIT.messageText) };
}

/** The thread reply under a request cancelled because its requester left. */
export function cancelledNote(request: KeyRequest, userId: string): TextMessage {
  return {
    text: `🚫 Cancelled: ${mention(userId)} was deactivated in Slack, so the request for *${clip(request.keyName, 200)}* no longer stands.`,
  };
}

const OUTCOME_WORDS: Record<OffboardingOutcome, string> = {
  disabled: '⏸️ disabled',
  deleted: '🗑️ deleted',
  reported: '👀 left as it is',
  'already disabled': '⏸️ was already disabled',
  failed: '⚠️ could not be changed; act on it here',
  'left alone': '↩️ left alone: it changed hands, or its owner came back',
};

/** The security channel hears that an offboarded user is back; nothing done is undone. */
export function reactivationMessage(notice: Reactivation): TextMessage {
  const seen = notice.via === 'event' ? 'a Slack event' : 'the daily check';
  const done =
    notice.action === 'report'
      ? 'Their keys were only reported.'
      : `Keys of theirs that offboarding ${notice.action === 'disable' ? 'disabled stay disabled' : 'deleted stay deleted'}; an admin may enable or reassign them from \`list all\`.`;
  return {
    text: fitText(
      `↩️ ${mention(notice.userId)} was reactivated in Slack (seen by ${seen}). Offboarding has ended: ` +
        `${done} Keys they get from now on are left alone.`,
      LIMIT.messageText,
    ),
  };
}

/**
 * The security channel's report on a deactivated user's keys, each with the key menu (clicks
 * are checked against the clicker's authority and shown in their App Home).
 */
export function offboardingReportMessage(report: OffboardingReport): SlackMessage {
  const { userId, keys, now } = report;
  const policy =
    report.action === 'report'
      ? 'The policy only reports them.'
      : `The policy ${report.action === 'disable' ? 'disables' : 'deletes'} them.`;
  const head =
    `🚪 ${mention(userId)} was deactivated in Slack (seen by ${report.via === 'event' ? 'a Slack event' : 'the daily check'}). ` +
    `${plural(keys.length, 'key')} they owned. ${policy}`;
  const blocks: KnownBlock[] = [{ type: 'section', text: md(fitText(head, LIMIT.text)) }];
  // 2 blocks per key: within a message's 50 for the 20 keys a user may own by default.
  for (const { facts, entry, outcome } of keys.slice(0, 22)) {
    if (entry) {
      const section = keySection(englishForNow, entry, { scope: 'all', page: 0 }, now);
      section.block_id = offboardBlockId(entry.key.id);
      blocks.push(section);
    } else {
      const line = `${keyLabel(facts)}\n${clip(facts.roleLabel, 200)}`;
      blocks.push({
        type: 'section',
        block_id: offboardBlockId(facts.keyId),
        text: md(fitText(line, LIMIT.text)),
      });
    }
    blocks.push({ type: 'context', elements: [md(OUTCOME_WORDS[outcome])] });
  }
  const extra: string[] = [];
  if (keys.length > 22) extra.push(`${keys.length - 22} more: see \`list all\`.`);
  if (report.vanished > 0) extra.push(`${plural(report.vanished, 'key')} already gone from ClickHouse.`);
  extra.push(
    report.cancelled > 0
      ? `${plural(report.cancelled, 'request')} of theirs cancelled.`
      : 'No request of theirs was waiting.',
  );
  blocks.push({ type: 'context', elements: [md(extra.join(' '))] });
  const counts = keys.map((k) => k.outcome).join(', ');
  return {
    text: fitText(
      `User ${userId} was deactivated: ${plural(keys.length, 'key')}${counts ? ` (${counts})` : ''}.`,
      LIMIT.messageText,
    ),
    blocks,
  };
}
