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
import type { Messages } from '../i18n/index.js';
import { approvalDestinationBlock } from './delivery.js';
import {
  clip,
  durationMs,
  field,
  fitText,
  formatInstant,
  LIMIT,
  md,
  plain,
  type SlackMessage,
} from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { mention } from './mrkdwn.js';
import { expiryWords, instantToken, ipListWords, relativeWords, requestExpiryWords } from './phrases.js';
import { servicesLine } from './services.js';

/**
 * Renders the approval message for one moment of a request's life, in the channel's words (the
 * policy's `locale`; its days are counted in UTC, as nobody's in particular).
 */
export function approvalMessage(m: Messages, card: ApprovalCard): SlackMessage {
  const { request, now } = card;
  const auto = request.approvalsRequired === 0;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(headerText(m, request, auto), LIMIT.header) },
    { type: 'section', fields: fields(m, card, auto) },
    ...servicesSection(m, card),
    {
      type: 'section',
      text: md(fitText(`*${m.t('dialog.reason')}*\n${reasonText(m, request)}`, LIMIT.text)),
    },
    {
      type: 'section',
      text: md(`*${m.t('request.ipLabel')}*\n${ipListWords(m, request.ipAccessList, LIMIT.text - 60)}`),
    },
  ];
  if (card.destination) blocks.push(approvalDestinationBlock(m, card.destination));

  if (request.state === 'pending') {
    blocks.push(decisionButtons(m, request.id));
  } else {
    blocks.push({ type: 'section', text: md(fitText(outcomeText(m, card, auto), LIMIT.text)) });
  }

  const facts = [
    m.t('approval.factRequest', { id: clip(request.id, 80) }),
    m.t('approval.factSubmitted', { at: instantToken(m, request.createdAt) }),
  ];
  if (request.state === 'pending' && request.deadline) {
    facts.push(
      m.t('approval.factLapses', {
        at: instantToken(m, request.deadline),
        relative: relativeWords(m, now, request.deadline),
      }),
    );
  }
  blocks.push({ type: 'context', elements: [md(facts.join(' · '))] });

  return { text: fallbackText(m, card, auto), blocks };
}

/** The services a request scoped to services would reach (product.md §16), renamed or deleted ones shown as such. */
function servicesSection(m: Messages, { request, role, services }: ApprovalCard): KnownBlock[] {
  if (!request.services || !isServiceGrant(role.grant)) return [];
  const text = servicesLine(m, role.grant.access, request.services, services ?? null);
  return [{ type: 'section', text: md(text) }];
}

function headerText(m: Messages, request: KeyRequest, auto: boolean): string {
  const kind = request.kind === 'change' ? 'change' : request.rotation ? 'rotation' : 'create';
  let state: string;
  switch (request.state) {
    case 'pending':
      state = 'pending';
      break;
    case 'approved':
    case 'creating':
      state = auto ? 'auto' : 'approved';
      break;
    case 'delivered':
      state = request.kind === 'change' ? 'applied' : 'created';
      break;
    case 'denied':
      state = 'denied';
      break;
    case 'expired':
      state = 'expired';
      break;
  }
  return m.t('approval.header', { kind, state });
}

function fields(m: Messages, card: ApprovalCard, auto: boolean): MrkdwnElement[] {
  const { request, role, now } = card;
  const list: MrkdwnElement[] = [
    field(m.t('approval.requester'), mention(request.requesterId)),
    field(m.t('dialog.keyName'), clip(request.keyName, 200)),
  ];
  const change = request.kind === 'change' ? request.change : null;
  if (change) {
    list.push(field(m.t('approval.key'), `…${clip(change.keySuffix, 8)}`));
    const from = change.from.roleId === null ? m.t('approval.unknownRole') : clip(change.from.roleId, 100);
    list.push(field(m.t('dialog.role'), `${from} → ${clip(role.label, 200)}`));
    const before =
      change.from.expireAt === null
        ? m.t('format.neverExpires')
        : instantToken(m, new Date(change.from.expireAt));
    const after =
      change.to.expiry === KEEP ? m.t('approval.unchanged') : expiryWords(m, change.to.expiry, now);
    list.push(field(m.t('dialog.expiry'), `${before} → ${after}`));
  } else {
    // A rotation's successor replaces a key that keeps working until the overlap ends.
    if (request.rotation)
      list.push(field(m.t('approval.replaces'), `…${clip(request.rotation.keySuffix, 8)}`));
    list.push(field(m.t('dialog.role'), clip(role.label, 200)));
    list.push(field(m.t('dialog.expiry'), expiryText(m, request, now)));
  }
  list.push(
    field(m.t('approval.approvals'), approvalsText(m, card.approvals, request.approvalsRequired, auto)),
  );
  return list;
}

/** While no key exists, the expiry counts from a future creation; once delivered, from its creation. */
function expiryText(m: Messages, request: KeyRequest, now: Date): string {
  if (request.state !== 'delivered' || request.rotation?.until !== undefined)
    return requestExpiryWords(m, request, now);
  const ms = durationMs(request.expiry);
  if (ms === null) return m.t('format.neverExpires');
  if (ms === undefined) return expiryWords(m, request.expiry, now);
  const until = new Date(request.updatedAt.getTime() + ms);
  return m.t('approval.untilAbout', {
    until: instantToken(m, until),
    relative: relativeWords(m, now, until),
  });
}

function approvalsText(m: Messages, approvals: readonly Decision[], needed: number, auto: boolean): string {
  if (auto) return m.t('approval.approvalsNone');
  const who = approvals.map((d) => mention(d.userId)).join(', ');
  const count = m.t('approval.approvalsCount', { given: approvals.length, needed });
  return who ? `${count}: ${who}` : count;
}

function reasonText(m: Messages, request: KeyRequest): string {
  if (request.reason.trim() !== '') return clip(request.reason, LIMIT.text - 60);
  // A rotation within its approval asks no reason: say what it is.
  if (request.rotation) {
    return m.t('approval.rotationReason', {
      name: clip(request.keyName, 200),
      suffix: `…${clip(request.rotation.keySuffix, 8)}`,
    });
  }
  return m.t('approval.noneGiven');
}

function decisionButtons(m: Messages, requestId: string): ActionsBlock {
  return {
    type: 'actions',
    block_id: BLOCK.decisionActions,
    elements: [
      {
        type: 'button',
        action_id: ACTION.approve,
        text: plain(m.t('approval.approve'), LIMIT.buttonText),
        style: 'primary',
        value: requestId,
      },
      {
        type: 'button',
        action_id: ACTION.deny,
        text: plain(m.t('deny.submit'), LIMIT.buttonText),
        style: 'danger',
        value: requestId,
      },
    ],
  };
}

function outcomeText(m: Messages, card: ApprovalCard, auto: boolean): string {
  const { request, denial } = card;
  const how = m.t('approval.how', { auto: auto ? 'yes' : 'no' });
  switch (request.state) {
    case 'pending':
      return '';
    case 'approved':
      return request.deadline
        ? m.t('approval.waitingUntil', { how, until: instantToken(m, request.deadline) })
        : m.t('approval.waiting', { how });
    case 'creating':
      return m.t('approval.creating', { how });
    case 'delivered':
      return request.kind === 'change'
        ? m.t('approval.changeApplied', { at: instantToken(m, request.updatedAt) })
        : m.t('approval.keyCreated', { at: instantToken(m, request.updatedAt) });
    case 'denied': {
      if (!denial) return m.t('approval.denied');
      const who = mention(denial.userId);
      return denial.reason?.trim()
        ? m.t('approval.deniedBy', { who, reason: clip(denial.reason, LIMIT.text - 200) })
        : m.t('approval.deniedByNoReason', { who });
    }
    case 'expired':
      return request.decidedAt !== null
        ? m.t('approval.claimLapsed', { at: instantToken(m, request.updatedAt) })
        : m.t('approval.lapsed', { at: instantToken(m, request.updatedAt) });
  }
}

/** The notification line: who asks for what, and where it stands (no date tokens: notifications show them raw). */
function fallbackText(m: Messages, card: ApprovalCard, auto: boolean): string {
  const { request, role, denial } = card;
  const kind = request.kind === 'change' ? 'change' : 'create';
  let status: string;
  switch (request.state) {
    case 'pending':
      status = m.t('approval.statusPending', {
        given: card.approvals.length,
        needed: request.approvalsRequired,
      });
      break;
    case 'approved':
    case 'creating':
      status = m.t('approval.statusApproved', { auto: auto ? 'yes' : 'no' });
      break;
    case 'delivered':
      status = m.t('approval.statusDone', { kind });
      break;
    case 'denied':
      status = denial
        ? m.t('approval.statusDeniedBy', { who: mention(denial.userId) })
        : m.t('approval.statusDenied');
      break;
    case 'expired':
      status = m.t('approval.statusExpired', { at: formatInstant(request.updatedAt) });
      break;
  }
  const said = m.t('approval.fallback', {
    kind,
    requester: mention(request.requesterId),
    name: clip(request.keyName, 200),
    role: clip(role.label, 200),
    status,
  });
  return fitText(said, LIMIT.messageText);
}
