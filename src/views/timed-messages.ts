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
import type { Messages } from '../i18n/index.js';
import {
  clip,
  daysText,
  fitText,
  formatInstant,
  LIMIT,
  md,
  plain,
  type SlackMessage,
  slackDate,
} from './format.js';
import { ACTION, BLOCK, offboardBlockId } from './ids.js';
import { dateWithDays, keyNameText, keySection } from './key-list.js';
import { mention } from './mrkdwn.js';
import { doneText, withoutDateTokens } from './outcomes.js';

/** A message whose `text` says it all. */
export interface TextMessage {
  text: string;
}

/** `*etl-reader* (…WXYZ)`, escaped. */
function keyLabel(m: Messages, key: KeyFacts): string {
  return `${keyNameText(m, { name: key.keyName })} (…${clip(key.keySuffix, 8)})`;
}

/** The same without mrkdwn, for the notification `text`. */
function keyPlain(key: KeyFacts): string {
  return `${clip(key.keyName, 200)} (…${clip(key.keySuffix, 8)})`;
}

/** `2026-12-27 14:00 UTC (in 3 days)`: for a `text` fallback, which notifications show raw. */
function plainWithDays(m: Messages, now: Date, at: Date): string {
  return `${formatInstant(at)} (${daysText(m, now, at)})`;
}

/** A member id of the policy as a mention: `<@U…>` or `<!subteam^S…>`. */
export function memberMention(id: string): string {
  return /^S[A-Z0-9]+$/.test(id) ? `<!subteam^${id}>` : mention(id);
}

/** Before a key expires: what, when, and Extend / Rotate. In the owner's words. */
export function expiryWarningMessage(m: Messages, warning: ExpiryWarning): SlackMessage {
  const { key, expireAt, now } = warning;
  const head = `${m.t('timers.expiryWarning', { key: keyLabel(m, key), when: dateWithDays(m, now, expireAt) })}\n${m.t(
    'timers.role',
    { role: clip(key.roleLabel, 200) },
  )}`;
  const actions: ActionsBlock = {
    type: 'actions',
    block_id: BLOCK.expiryActions,
    elements: [
      {
        type: 'button',
        action_id: ACTION.extendKey,
        text: plain(m.t('timers.extend'), LIMIT.buttonText),
        style: 'primary',
        value: key.keyId,
      },
      {
        type: 'button',
        action_id: ACTION.rotateKey,
        text: plain(m.t('timers.rotate'), LIMIT.buttonText),
        value: key.keyId,
      },
    ],
  };
  return {
    text: m.t('timers.expiryWarning', { key: keyPlain(key), when: plainWithDays(m, now, expireAt) }),
    blocks: [
      { type: 'section', text: md(fitText(head, LIMIT.text)) },
      { type: 'context', elements: [md(m.t('timers.expiryActions'))] },
      actions,
    ],
  };
}

/** Once a key has expired. */
export function keyExpiredMessage(m: Messages, notice: ExpiredNotice): SlackMessage {
  const { key, expireAt, now, deleteAt } = notice;
  const deletion = deleteAt ? ` ${m.t('timers.willDelete', { when: dateWithDays(m, now, deleteAt) })}` : '';
  const line = m.t('timers.expired', { key: keyLabel(m, key), when: dateWithDays(m, now, expireAt) });
  return {
    text: m.t('timers.expiredText', { key: keyPlain(key), when: formatInstant(expireAt) }),
    blocks: [{ type: 'section', text: md(fitText(`${line}${deletion}`, LIMIT.text)) }],
  };
}

/** After the policy deleted an expired key. */
export function expiredKeyDeletedMessage(m: Messages, notice: ExpiredDeletion): TextMessage {
  const { key, expireAt, now } = notice;
  return {
    text: m.t('timers.expiredDeleted', { key: keyPlain(key), when: plainWithDays(m, now, expireAt) }),
  };
}

/** A key not used for a long time: Keep, Disable or Delete. */
export function staleKeyMessage(m: Messages, offer: StaleOffer): SlackMessage {
  const { key, since, now } = offer;
  const when = dateWithDays(m, now, since);
  const what = offer.neverUsed
    ? m.t('timers.staleNeverUsed', { key: keyLabel(m, key), when })
    : m.t('timers.staleNotUsed', { key: keyLabel(m, key), when });
  const button = (label: string, actionId: string, style?: 'primary' | 'danger') => ({
    type: 'button' as const,
    action_id: actionId,
    text: plain(label, LIMIT.buttonText),
    value: key.keyId,
    ...(style ? { style } : {}),
  });
  return {
    text: offer.neverUsed
      ? m.t('timers.staleNeverUsedText', { key: keyPlain(key) })
      : m.t('timers.staleNotUsedText', { key: keyPlain(key), when: formatInstant(since) }),
    blocks: [
      {
        type: 'section',
        text: md(fitText(`${what}\n${m.t('timers.role', { role: clip(key.roleLabel, 200) })}`, LIMIT.text)),
      },
      {
        type: 'context',
        elements: [md(m.t('timers.staleChoices', { when: slackDate(offer.askAgainAt) }))],
      },
      {
        type: 'actions',
        block_id: BLOCK.staleActions,
        elements: [
          button(m.t('timers.keep'), ACTION.staleKeep, 'primary'),
          button(m.t('timers.disable'), ACTION.staleDisable),
          {
            ...button(m.t('timers.delete'), ACTION.staleDelete, 'danger'),
            confirm: {
              title: plain(m.t('timers.confirmTitle'), 100),
              // plain_text: the name as it is (no escaping, no markup).
              text: plain(m.t('timers.confirmText', { key: `${key.keyName} (…${key.keySuffix})` })),
              confirm: plain(m.t('timers.delete'), 30),
              deny: plain(m.t('timers.cancel'), 30),
              style: 'danger',
            },
          },
        ],
      },
    ],
  };
}

/** The stale-key DM rewritten with what its owner chose; no buttons left. */
export function staleOutcomeMessage(m: Messages, outcome: StaleOutcome): SlackMessage {
  if (outcome.kind === 'kept') {
    const line = m.t('timers.kept', {
      user: mention(outcome.by),
      key: keyLabel(m, outcome.key),
      when: slackDate(outcome.askAgainAt),
    });
    const text = m.t('timers.keptText', {
      key: keyPlain(outcome.key),
      when: formatInstant(outcome.askAgainAt),
    });
    return { text, blocks: [{ type: 'section', text: md(fitText(line, LIMIT.text)) }] };
  }
  // doneText is mrkdwn already (names escaped, people as mentions).
  const done = doneText(m, outcome.done);
  const line = m.t('timers.staleDone', { kind: outcome.kind, done, user: mention(outcome.by) });
  return {
    text: withoutDateTokens(done),
    blocks: [{ type: 'section', text: md(fitText(line, LIMIT.text)) }],
  };
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** How long something has waited: `3 days`, `5 hours`, `12 minutes`, rounded, never zero. */
function waitedText(m: Messages, ms: number): string {
  if (ms >= DAY_MS) return m.t('format.days', { count: Math.round(ms / DAY_MS) });
  if (ms >= HOUR_MS) return m.t('format.hours', { count: Math.round(ms / HOUR_MS) });
  return m.t('format.minutes', { count: Math.max(1, Math.round(ms / 60_000)) });
}

/** The thread reply under an approval message still waiting: approvers, then admins. In the channel's words. */
export function nudgeNote(m: Messages, nudge: Nudge): TextMessage {
  const { request, now } = nudge;
  const values = {
    who: nudge.mention.length > 0 ? nudge.mention.map(memberMention).join(', ') : m.t('timers.approvers'),
    name: clip(request.keyName, 200),
    user: mention(request.requesterId),
    waited: waitedText(m, Math.abs(now.getTime() - request.createdAt.getTime())),
  };
  const text = nudge.kind === 'remind' ? m.t('timers.remind', values) : m.t('timers.escalate', values);
  return { text: fitText(text, LIMIT.messageText) };
}

/** The thread reply under a request cancelled because its requester left. */
export function cancelledNote(m: Messages, request: KeyRequest, userId: string): TextMessage {
  return { text: m.t('timers.cancelled', { user: mention(userId), name: clip(request.keyName, 200) }) };
}

const OUTCOME_CHOICE: Record<OffboardingOutcome, string> = {
  disabled: 'disabled',
  deleted: 'deleted',
  reported: 'reported',
  'already disabled': 'already_disabled',
  failed: 'failed',
  'left alone': 'left_alone',
};

/** The security channel hears that an offboarded user is back; nothing done is undone. */
export function reactivationMessage(m: Messages, notice: Reactivation): TextMessage {
  const text = m.t('timers.reactivated', {
    user: mention(notice.userId),
    via: notice.via === 'event' ? 'event' : 'daily',
    action: notice.action,
  });
  return { text: fitText(text, LIMIT.messageText) };
}

/**
 * The security channel's report on a deactivated user's keys, each with the key menu (clicks
 * are checked against the clicker's authority and shown in their App Home).
 */
export function offboardingReportMessage(m: Messages, report: OffboardingReport): SlackMessage {
  const { userId, keys, now } = report;
  const head = m.t('timers.offboarded', {
    user: mention(userId),
    via: report.via === 'event' ? 'event' : 'daily',
    count: keys.length,
    action: report.action,
  });
  const blocks: KnownBlock[] = [{ type: 'section', text: md(fitText(head, LIMIT.text)) }];
  // 2 blocks per key: within a message's 50 for the 20 keys a user may own by default.
  for (const { facts, entry, outcome } of keys.slice(0, 22)) {
    if (entry) {
      const section = keySection(m, entry, { scope: 'all', page: 0 }, now);
      section.block_id = offboardBlockId(entry.key.id);
      blocks.push(section);
    } else {
      const line = `${keyLabel(m, facts)}\n${clip(facts.roleLabel, 200)}`;
      blocks.push({
        type: 'section',
        block_id: offboardBlockId(facts.keyId),
        text: md(fitText(line, LIMIT.text)),
      });
    }
    blocks.push({
      type: 'context',
      elements: [md(m.t('timers.offboardOutcome', { outcome: OUTCOME_CHOICE[outcome] }))],
    });
  }
  const extra: string[] = [];
  if (keys.length > 22) extra.push(m.t('timers.offboardMore', { count: keys.length - 22 }));
  if (report.vanished > 0) extra.push(m.t('timers.offboardVanished', { count: report.vanished }));
  extra.push(
    report.cancelled > 0
      ? m.t('timers.offboardCancelled', { count: report.cancelled })
      : m.t('timers.offboardNoRequests'),
  );
  blocks.push({ type: 'context', elements: [md(extra.join(' '))] });
  return {
    text: fitText(m.t('timers.offboardedText', { user: userId, count: keys.length }), LIMIT.messageText),
    blocks,
  };
}
