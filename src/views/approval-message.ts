/**
 * The approval message in the policy's approval channel (product.md §1): what is asked, by whom,
 * why, and how far the decision has come. Buttons exist only while the request is pending; once
 * it is decided the message states the outcome instead, so an old message cannot invite a click.
 */
import type { ActionsBlock, KnownBlock, MrkdwnElement } from '@slack/types';
import type { Decision, KeyRequest } from '../core/model.js';
import { isServiceGrant } from '../core/policy-model.js';
import type { ApprovalCard } from '../core/ports.js';
import { KEEP } from '../core/ports.js';
import {
  clip,
  durationMs,
  expiryLine,
  field,
  fitText,
  formatInstant,
  ipListLines,
  LIMIT,
  md,
  plain,
  relativeDays,
  requestExpiryLine,
  type SlackMessage,
  slackDate,
} from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { mention } from './mrkdwn.js';
import { servicesLine, UNCONVERTED_WORDS } from './services.js';

/** Renders the approval message for one moment of a request's life. */
export function approvalMessage(card: ApprovalCard): SlackMessage {
  const { request, now } = card;
  const auto = request.approvalsRequired === 0;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(headerText(request, auto), LIMIT.header) },
    { type: 'section', fields: fields(card, auto) },
    ...servicesSection(card),
    { type: 'section', text: md(fitText(`*Reason*\n${reasonText(request)}`, LIMIT.text)) },
    {
      type: 'section',
      text: md(`*IP access list*\n${ipListLines(request.ipAccessList, LIMIT.text - 20)}`),
    },
  ];

  if (request.state === 'pending') {
    blocks.push(decisionButtons(request.id));
  } else {
    blocks.push({ type: 'section', text: md(fitText(outcomeText(card, auto), LIMIT.text)) });
  }

  const facts = [`Request ${clip(request.id, 80)}`, `submitted ${slackDate(request.createdAt)}`];
  if (request.state === 'pending' && request.deadline) {
    facts.push(`lapses ${slackDate(request.deadline)} (${relativeDays(now, request.deadline)}) if undecided`);
  }
  blocks.push({ type: 'context', elements: [md(facts.join(' · '))] });

  return { text: fallbackText(card, auto), blocks };
}

/** The services a request scoped to services would reach (product.md §16), renamed or deleted ones shown as such. */
function servicesSection({ request, role, services }: ApprovalCard): KnownBlock[] {
  if (!request.services || !isServiceGrant(role.grant)) return [];
  const text = servicesLine(UNCONVERTED_WORDS, role.grant.access, request.services, services ?? null);
  return [{ type: 'section', text: md(text) }];
}

function headerText(request: KeyRequest, auto: boolean): string {
  const what =
    request.kind === 'change'
      ? 'API key change request'
      : request.rotation
        ? 'API key rotation request'
        : 'API key request';
  switch (request.state) {
    case 'pending':
      return what;
    case 'approved':
    case 'creating':
      return auto ? `${what}: approved by policy` : `${what}: approved`;
    case 'delivered':
      return request.kind === 'change' ? `${what}: applied` : `${what}: key created`;
    case 'denied':
      return `${what}: denied`;
    case 'expired':
      return `${what}: expired`;
  }
}

function fields(card: ApprovalCard, auto: boolean): MrkdwnElement[] {
  const { request, role, now } = card;
  const list: MrkdwnElement[] = [
    field('Requester', mention(request.requesterId)),
    field('Key name', clip(request.keyName, 200)),
  ];
  const change = request.kind === 'change' ? request.change : null;
  if (change) {
    list.push(field('Key', `…${clip(change.keySuffix, 8)}`));
    list.push(field('Role', `${clip(change.from.roleId ?? 'unknown', 100)} → ${clip(role.label, 200)}`));
    const before = change.from.expireAt === null ? 'never' : formatInstant(new Date(change.from.expireAt));
    const after = change.to.expiry === KEEP ? 'unchanged' : expiryLine(change.to.expiry, now);
    list.push(field('Expiry', `${before} → ${after}`));
  } else {
    // A rotation's successor replaces a key that keeps working until the overlap ends.
    if (request.rotation) list.push(field('Replaces', `…${clip(request.rotation.keySuffix, 8)}`));
    list.push(field('Role', clip(role.label, 200)));
    list.push(field('Expiry', expiryText(request, now)));
  }
  list.push(field('Approvals', approvalsText(card.approvals, request.approvalsRequired, auto)));
  return list;
}

/** While no key exists, the expiry counts from a future creation; once delivered, from its creation. */
function expiryText(request: KeyRequest, now: Date): string {
  if (request.state !== 'delivered' || request.rotation?.until !== undefined)
    return requestExpiryLine(request, now);
  const ms = durationMs(request.expiry);
  if (ms === null) return 'never expires';
  if (ms === undefined) return expiryLine(request.expiry, now);
  const until = new Date(request.updatedAt.getTime() + ms);
  return `until about ${formatInstant(until)} (${relativeDays(now, until)})`;
}

function approvalsText(approvals: readonly Decision[], needed: number, auto: boolean): string {
  if (auto) return 'none needed (auto-approved by policy)';
  const who = approvals.map((d) => mention(d.userId)).join(', ');
  return `${approvals.length} of ${needed}${who ? `: ${who}` : ''}`;
}

function reasonText(request: KeyRequest): string {
  if (request.reason.trim() !== '') return clip(request.reason, LIMIT.text - 20);
  // A rotation within its approval asks no reason: say what it is.
  if (request.rotation)
    return `_rotation of ${clip(request.keyName, 200)} (…${clip(request.rotation.keySuffix, 8)})_`;
  return '_none given_';
}

function decisionButtons(requestId: string): ActionsBlock {
  return {
    type: 'actions',
    block_id: BLOCK.decisionActions,
    elements: [
      {
        type: 'button',
        action_id: ACTION.approve,
        text: plain('Approve', LIMIT.buttonText),
        style: 'primary',
        value: requestId,
      },
      {
        type: 'button',
        action_id: ACTION.deny,
        text: plain('Deny', LIMIT.buttonText),
        style: 'danger',
        value: requestId,
      },
    ],
  };
}

function outcomeText(card: ApprovalCard, auto: boolean): string {
  const { request, denial } = card;
  switch (request.state) {
    case 'pending':
      return '';
    case 'approved': {
      const until = request.deadline ? ` (until ${slackDate(request.deadline)})` : '';
      const how = auto ? 'Auto-approved by policy' : 'Approved';
      return `✅ ${how} — waiting for the requester to create the key${until}`;
    }
    case 'creating':
      return `⏳ ${auto ? 'Auto-approved by policy' : 'Approved'} — the key is being created`;
    case 'delivered':
      return request.kind === 'change'
        ? `🔑 Change applied ${slackDate(request.updatedAt)}`
        : `🔑 Key created ${slackDate(request.updatedAt)}`;
    case 'denied': {
      if (!denial) return '⛔ Denied';
      const why = denial.reason?.trim() ? `: ${clip(denial.reason, LIMIT.text - 100)}` : ' (no reason given)';
      return `⛔ Denied by ${mention(denial.userId)}${why}`;
    }
    case 'expired':
      return request.decidedAt !== null
        ? `⌛ Approved, but the key was not created in time; expired ${slackDate(request.updatedAt)}`
        : `⌛ Expired ${slackDate(request.updatedAt)} without a decision`;
  }
}

/** The notification line: who asks for what, and where it stands. */
function fallbackText(card: ApprovalCard, auto: boolean): string {
  const { request, role, denial } = card;
  const what = `${request.kind === 'change' ? 'API key change request' : 'API key request'} from ${mention(
    request.requesterId,
  )}: ${clip(request.keyName, 200)} (${clip(role.label, 200)})`;
  let status: string;
  switch (request.state) {
    case 'pending':
      status = `${card.approvals.length} of ${request.approvalsRequired} approvals`;
      break;
    case 'approved':
    case 'creating':
      status = auto ? 'auto-approved by policy' : 'approved';
      break;
    case 'delivered':
      status = request.kind === 'change' ? 'change applied' : 'key created';
      break;
    case 'denied':
      status = denial ? `denied by ${mention(denial.userId)}` : 'denied';
      break;
    case 'expired':
      status = `expired ${formatInstant(request.updatedAt)}`;
      break;
  }
  return fitText(`${what} — ${status}`, LIMIT.messageText);
}
