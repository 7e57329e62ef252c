/**
 * On call and break glass in words (product.md §15): the request modal's note and break-glass
 * choice (with the confirm step that states the rules), the approval channel's note and review
 * message, the security channel's notice, and the review's reminders.
 */
import type { ActionsBlock, Checkboxes, InputBlock, KnownBlock } from '@slack/types';
import { z } from 'zod';
import type { BreakGlassReview } from '../core/access.js';
import { durationText } from '../core/duration.js';
import type { KeyRequest } from '../core/model.js';
import type { PolicyRole } from '../core/policy-model.js';
import type { Messages } from '../i18n/index.js';
import {
  clip,
  clipPlain,
  field,
  fitText,
  formatInstant,
  LIMIT,
  md,
  plain,
  type SlackMessage,
  slackDate,
} from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { escapeMrkdwn, mention } from './mrkdwn.js';

/** What the request modal shows of on call and break glass for the chosen role and this person. */
export interface ModalAccess {
  role: PolicyRole;
  /** The on-call group that approves them at once; null when the role has none or they are in none. */
  onCallGroup: string | null;
  /** Whether they may break glass for this role. */
  breakGlass: boolean;
}

/** A user group as Slack mentions it. */
function group(id: string): string {
  return `<!subteam^${id}>`;
}

/** The modal's blocks for on call and break glass (none when the role offers neither to this person). */
export function accessModalBlocks(m: Messages, access: ModalAccess | null): KnownBlock[] {
  if (!access) return [];
  const { role } = access;
  const blocks: KnownBlock[] = [];
  if (role.autoApprove && access.onCallGroup) {
    const values = { group: group(access.onCallGroup), maxExpiry: role.autoApprove.maxExpiry };
    blocks.push({ type: 'context', elements: [md(m.t('access.onCallNote', values))] });
    if (role.maxExpiryMs === null || role.maxExpiryMs > role.autoApprove.maxExpiryMs) {
      blocks.push({ type: 'context', elements: [md(m.t('access.onCallLonger', values))] });
    }
  }
  if (role.breakGlass && access.breakGlass) {
    const glass = { maxExpiry: role.breakGlass.maxExpiry, reviewWithin: role.breakGlass.reviewWithin };
    const checkbox: Checkboxes = {
      type: 'checkboxes',
      action_id: ACTION.breakGlassCheck,
      options: [
        {
          text: plain(m.t('access.breakGlassOption'), LIMIT.optionText),
          value: 'break_glass',
          description: plain(m.t('access.breakGlassDescription', glass), LIMIT.optionText),
        },
      ],
      // The confirm step that states the rules, before the box is ticked.
      confirm: {
        title: plain(m.t('access.confirmTitle'), 100),
        text: plain(clipPlain(m.t('access.confirmText', { ...glass, role: role.label }), 300), 300),
        confirm: plain(m.t('access.confirmYes'), 30),
        deny: plain(m.t('access.confirmNo'), 30),
        style: 'danger',
      },
    };
    const input: InputBlock = {
      type: 'input',
      block_id: BLOCK.breakGlass,
      optional: true,
      label: plain(m.t('access.breakGlassLabel'), LIMIT.hint),
      element: checkbox,
    };
    blocks.push(input);
  }
  return blocks;
}

const checked = z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() });

/** Whether the modal's break-glass box is ticked (untrusted; the gate decides whether it counts). */
export function readBreakGlass(state: Record<string, Record<string, unknown>>): boolean {
  const parsed = checked.safeParse(state[BLOCK.breakGlass]?.[ACTION.breakGlassCheck]);
  return parsed.success && (parsed.data.selected_options ?? []).some((o) => o.value === 'break_glass');
}

/** The thread reply under an approval message: approved at once, on call, as a member of a group. */
export function onCallNote(
  m: Messages,
  notice: { request: KeyRequest; role: PolicyRole; group: string },
): SlackMessage {
  const values = {
    user: mention(notice.request.requesterId),
    group: group(notice.group),
    expiry: notice.request.expiry,
    maxExpiry: notice.role.autoApprove?.maxExpiry ?? notice.request.expiry,
  };
  const text = m.t('access.onCallApproved', values);
  return { text, blocks: [{ type: 'section', text: md(fitText(text, LIMIT.text)) }] };
}

function reviewValues(review: BreakGlassReview) {
  const { request, role } = review;
  return {
    user: mention(request.requesterId),
    keyName: clip(request.keyName, 100),
    role: escapeMrkdwn(role.label),
    expiry: request.expiry,
  };
}

/** The review message in the approval channel: Keep and Revoke until an approver decides. */
export function breakGlassMessage(m: Messages, review: BreakGlassReview): SlackMessage {
  const { request, decision } = review;
  const values = reviewValues(review);
  const blocks: KnownBlock[] = [
    { type: 'section', text: md(m.t('access.breakGlassHeader', values)) },
    {
      type: 'section',
      fields: [
        field(m.t('access.keyName'), values.keyName),
        field(m.t('access.role'), values.role),
        field(
          m.t('access.expiry'),
          m.t('access.expiryValue', { expiry: durationText(expiryMs(request.expiry)) }),
        ),
        field(m.t('access.reason'), clip(request.reason, 1500) || '—'),
      ],
    },
  ];
  if (decision) {
    const at = slackDate(decision.at);
    const by = mention(decision.by);
    const said =
      decision.decision === 'keep'
        ? m.t('access.kept', { by, at })
        : m.t(decision.keyDeleted ? 'access.revokedDeleted' : 'access.revokedNoKey', { by, at });
    blocks.push({ type: 'context', elements: [md(said)] });
  } else {
    blocks.push({
      type: 'section',
      text: md(m.t('access.reviewDue', { reviewBy: slackDate(review.reviewBy) })),
    });
    const actions: ActionsBlock = {
      type: 'actions',
      block_id: BLOCK.breakGlassReview,
      elements: [
        {
          type: 'button',
          action_id: ACTION.breakGlassKeep,
          text: plain(m.t('access.keep'), 75),
          value: request.id,
          style: 'primary',
        },
        {
          type: 'button',
          action_id: ACTION.breakGlassRevoke,
          text: plain(m.t('access.revoke'), 75),
          value: request.id,
          style: 'danger',
          confirm: {
            title: plain(m.t('access.revokeConfirmTitle'), 100),
            text: plain(m.t('access.revokeConfirmText'), 300),
            confirm: plain(m.t('access.revoke'), 30),
            deny: plain(m.t('access.confirmNo'), 30),
            style: 'danger',
          },
        },
      ],
    };
    blocks.push(actions);
  }
  return { text: m.t('access.breakGlassTitle', values), blocks };
}

function expiryMs(expiry: string): number | null {
  const match = /^(\d+)([hd])$/.exec(expiry);
  if (!match) return null;
  return Number(match[1]) * (match[2] === 'd' ? 86_400_000 : 3_600_000);
}

/** The security channel's notice of a break glass, at once. */
export function breakGlassSecurityNotice(
  m: Messages,
  review: BreakGlassReview,
  approvalChannel: string,
): SlackMessage {
  const text = m.t('access.securityNotice', {
    ...reviewValues(review),
    reason: clip(review.request.reason, 1500),
    channel: `<#${approvalChannel}>`,
    reviewBy: slackDate(review.reviewBy),
  });
  return {
    text: fallback(text, review.reviewBy),
    blocks: [{ type: 'section', text: md(fitText(text, LIMIT.text)) }],
  };
}

/** A reminder (approvers) or an escalation (admins) under the review message. */
export function reviewNudgeNote(
  m: Messages,
  kind: 'remind' | 'escalate',
  review: BreakGlassReview,
  mentions: readonly string[],
): SlackMessage {
  const who = mentions.map((id) => (id.startsWith('S') ? group(id) : mention(id))).join(' ');
  const text = m.t(kind === 'remind' ? 'access.remind' : 'access.escalate', {
    mentions: who,
    reviewBy: slackDate(review.reviewBy),
  });
  return {
    text: fallback(text, review.reviewBy),
    blocks: [{ type: 'section', text: md(fitText(text, LIMIT.text)) }],
  };
}

/** The security channel told that a review is overdue. */
export function overdueSecurityNotice(m: Messages, review: BreakGlassReview): SlackMessage {
  const text = m.t('access.escalateSecurity', {
    ...reviewValues(review),
    reviewBy: slackDate(review.reviewBy),
  });
  return {
    text: fallback(text, review.reviewBy),
    blocks: [{ type: 'section', text: md(fitText(text, LIMIT.text)) }],
  };
}

/** A `text` fallback shows Slack's date token raw on some clients: the plain instant instead. */
function fallback(text: string, at: Date): string {
  return fitText(text.replace(slackDate(at), formatInstant(at)), 3000);
}
