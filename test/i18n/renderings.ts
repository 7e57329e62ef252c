/**
 * Every renderer of src/views, with cases that reach its branches, drawn from `Data` so the same
 * cases run with everyday values and with the longest values the policy and Slack allow. The
 * word tests (views.test.ts) render them all in every language.
 */

import type { BreakGlassReview } from '../../src/core/access.js';
import { placeOf } from '../../src/core/delivery-ports.js';
import type { AuditEvent } from '../../src/core/model.js';
import type { Destination } from '../../src/core/policy-model.js';
import type { KeyEntry, RequesterNotice, ReviewEntry } from '../../src/core/ports.js';
import type {
  DriftNotice,
  LeakedKey,
  LeakOutcome,
  OutsideLeakReport,
  OutsideSite,
} from '../../src/core/watch-ports.js';
import type { Messages } from '../../src/i18n/index.js';
import {
  accessModalBlocks,
  breakGlassMessage,
  breakGlassSecurityNotice,
  onCallNote,
  overdueSecurityNotice,
  reviewNudgeNote,
} from '../../src/views/access.js';
import { auditMessage, auditRefused, auditTime, describeAuditEvent } from '../../src/views/audit.js';
import { auditHeadMessage } from '../../src/views/audit-head.js';
import {
  approvalDestinationBlock,
  deliverToBlock,
  deliveryMessage,
  keyPlaceText,
  placeWords,
  rotationFailedMessage,
} from '../../src/views/delivery.js';
import { helpMessage, unknownCommand } from '../../src/views/help.js';
import { homeView } from '../../src/views/home.js';
import {
  countLine,
  dateWithDays,
  keyBlocks,
  keyExpiryText,
  keyListMessage,
  keyNameText,
  keySection,
  ownerText,
  retiringText,
} from '../../src/views/key-list.js';
import { errorNotice, requesterNotice, threadNote } from '../../src/views/notices.js';
import { doneText, problemsText, problemText, refusalText } from '../../src/views/outcomes.js';
import {
  alertResolutionComment,
  outsideLeakOwnerMessage,
  outsideLeakSecurityNotice,
} from '../../src/views/outside-leaks.js';
import { reviewMessage } from '../../src/views/review.js';
import {
  accessText,
  serviceBlocks,
  serviceProblemText,
  serviceRefusalText,
  servicesLine,
} from '../../src/views/services.js';
import {
  cancelledNote,
  expiredKeyDeletedMessage,
  expiryWarningMessage,
  keyExpiredMessage,
  nudgeNote,
  offboardingReportMessage,
  reactivationMessage,
  staleKeyMessage,
  staleOutcomeMessage,
} from '../../src/views/timed-messages.js';
import {
  driftOwnerMessage,
  driftSecurityNotice,
  leakOwnerMessage,
  leakSecurityNotice,
  leakThreadReply,
} from '../../src/views/watch.js';
import { apiKey, homeData, keyEntry, keyListing, keyRequest, NOW, policyRole } from '../views/fixtures.js';
import {
  DIALOG_EVERYDAY,
  DIALOG_LONGEST,
  DIALOG_RENDERINGS,
  DIALOG_VIEW_MODULES,
  type DialogData,
} from './dialog-renderings.js';
import { DONES, PROBLEMS, REFUSALS } from './outcome-cases.js';

/** What a case renders to, and where Slack would show it (which limits hold). */
export type Rendered =
  | { kind: 'message'; body: object }
  | { kind: 'modal'; body: object }
  | { kind: 'home'; body: object }
  /** A line that ends up in another surface (a field error under an input, a notice line). */
  | { kind: 'line'; body: string };

/** The people, names and words the cases use: user data, never from a catalog. */
export interface Data extends DialogData {
  command: string;
  /** A word the command does not know. */
  word: string;
  /** A key's name (the policy allows 64 characters). */
  keyName: string;
  /** A policy role's label (at most 75 characters). */
  roleLabel: string;
  /** The policy's own words for its key-name rule (`keyName.hint`, at most 150 characters). */
  nameHint: string;
  /** The last characters of a Key ID shown after a name, and of a successor's. */
  suffix: string;
  successor: string;
  /** A reason someone typed (the policy allows 2,900 characters). */
  reason: string;
  /** Keys on a list page, and in all. */
  pageKeys: number;
  totalKeys: number;
  /** Keys and requests on a Home tab. */
  homeKeys: number;
  homeRequests: number;
  /** Services as the console names them (product.md §16), and the name one had before a rename. */
  service: string;
  otherService: string;
  oldService: string;
  /** The admins to ask, as Slack mentions (the policy's `adminsToAsk`). */
  admins: string;
  /** Where a leak of a key was found (a repository and file, a scanner and its URL). */
  repository: string;
  filePath: string;
  scanner: string;
  scanUrl: string;
  environment: string;
  vaultMount: string;
  vaultPath: string;
  destinationError: string;
}

export const EVERYDAY: Data = {
  command: '/chkey',
  word: 'frobnicate',
  nameHint: '3–41 lowercase letters, digits and dashes',
  suffix: 'WXYZ',
  successor: 'AB12',
  pageKeys: 3,
  totalKeys: 3,
  homeKeys: 2,
  homeRequests: 2,
  service: 'prod-eu',
  otherService: 'analytics',
  oldService: 'prod-1',
  admins: '<@U0DANA>',
  ...DIALOG_EVERYDAY,
  keyName: 'terraform-ci',
  repository: 'acme/infra',
  filePath: 'terraform/prod.tfvars',
  scanner: 'gitleaks',
  scanUrl: 'https://ci.example.com/runs/42',
  environment: 'production',
  vaultMount: 'secret',
  vaultPath: 'clickhouse/tf-prod',
  destinationError:
    'GitHub API answered 404 Not Found for PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
};

/** Slack allows a slash command of 32 characters; a word may be as long as a message allows. */
export const LONGEST: Data = {
  command: `/${'k'.repeat(31)}`,
  word: 'w'.repeat(3_900),
  nameHint: 'h'.repeat(150),
  suffix: 'WXYZ',
  successor: 'AB12',
  pageKeys: 20,
  totalKeys: 1_000,
  homeKeys: 200,
  homeRequests: 40,
  // The console allows 50 characters; a role may offer up to 100 (a multi-select's limit).
  service: 's'.repeat(50),
  otherService: 't'.repeat(50),
  oldService: 'o'.repeat(50),
  admins: Array.from({ length: 20 }, (_, i) => `<!subteam^S0ADMINS${String(i).padStart(4, '0')}>`).join(', '),
  ...DIALOG_LONGEST,
  keyName: 'k'.repeat(64),
  repository: `${'o'.repeat(39)}/${'r'.repeat(100)}`,
  filePath: `${'d/'.repeat(120)}f.tf`,
  scanner: 's'.repeat(100),
  scanUrl: `https://ci.example.com/${'u'.repeat(900)}`,
  environment: 'e'.repeat(255),
  vaultMount: 'm'.repeat(100),
  vaultPath: 'p'.repeat(200),
  destinationError: 'x'.repeat(1_400),
};

const SERVICE_IDS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];

/** A modal around blocks a view contributes to one (its title from a catalog too). */
const inModal = (m: Messages, blocks: object[]): Rendered => ({
  kind: 'modal',
  body: {
    type: 'modal',
    title: { type: 'plain_text', text: m.t('services.label') },
    submit: { type: 'plain_text', text: m.t('services.placeholder') },
    blocks,
  },
});

/** Every string of `data`: what the views may show that did not come from a catalog. */
export function dataStrings(data: Data): string[] {
  return Object.values(data).filter((value): value is string => typeof value === 'string');
}

const message = (body: object): Rendered => ({ kind: 'message', body });
const line = (body: string): Rendered => ({ kind: 'line', body });
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

/** A key in every state a section shows: leaked, disabled, expired, never expiring, retiring, Keyhouse's own. */
function variedKeys(d: Data, n: number): KeyEntry[] {
  // An admin's every action; Lift only for a leaked key, which offers no Edit (at most five options).
  const all = { toggle: true, edit: true, delete: true, rotate: true, reassign: true };
  const kinds: Partial<KeyEntry>[] = [
    { can: all },
    { leaked: true, can: { ...all, edit: false, lift: true } },
    { key: apiKey({ name: d.keyName, state: 'disabled', usedAt: at(-3).toISOString() }) },
    { expired: true, key: apiKey({ name: d.keyName, expireAt: at(-2).toISOString() }) },
    { key: apiKey({ name: d.keyName, expireAt: null }), ownerId: null },
    { expired: true, key: apiKey({ name: d.keyName, expireAt: null }) },
    { retiring: { at: at(1), stage: 'retiring', successorKeyId: 'x', successorSuffix: 'AB12' } },
    { retiring: { at: at(-1), stage: 'disabled', successorKeyId: 'x', successorSuffix: '' } },
    { self: true, ownerId: null },
    { key: apiKey({ name: '   ', usedAt: 'not a date', expireAt: 'not a date' }) },
  ];
  return Array.from({ length: n }, (_, i) => {
    const kind = kinds[i % kinds.length] ?? {};
    return keyEntry({
      roleLabel: d.roleLabel,
      ...kind,
      key: {
        ...apiKey({ name: d.keyName }),
        ...kind.key,
        id: `0d6a3c5e-1b2f-4c7d-9e8f-${String(i).padStart(12, '0')}`,
      },
    });
  });
}

function reviewEntries(d: Data, n: number): ReviewEntry[] {
  return variedKeys(d, n).map((entry, i) => ({
    entry,
    reasons: i % 2 === 0 ? ['stale', 'no_owner', 'owner_deactivated', 'retiring'] : ['stale'],
    lastActivity: i % 3 === 0 ? null : at(-40),
    fingerprint: i % 2 === 0 ? false : null,
  }));
}

function homeRequests(d: Data, n: number) {
  const states = [
    keyRequest({ keyName: d.keyName }),
    keyRequest({ keyName: d.keyName, deadline: null }),
    keyRequest({ keyName: d.keyName, state: 'approved', deadline: at(1) }),
    keyRequest({ keyName: d.keyName, state: 'approved', deadline: null }),
    keyRequest({ keyName: d.keyName, state: 'approved', deadline: at(-1) }),
    keyRequest({ keyName: d.keyName, kind: 'change', state: 'approved', keySuffix: 'WXYZ' }),
    keyRequest({ keyName: d.keyName, state: 'creating' }),
    keyRequest({ keyName: d.keyName, state: 'delivered' }),
    keyRequest({ keyName: d.keyName, kind: 'change', state: 'delivered' }),
    keyRequest({ keyName: d.keyName, state: 'denied' }),
    keyRequest({ keyName: d.keyName, state: 'expired' }),
  ];
  return Array.from({ length: n }, (_, i) => ({
    request: { ...(states[i % states.length] ?? keyRequest()), id: `r-${i}` },
    roleLabel: d.roleLabel,
    ...(i % 3 === 0
      ? { nudged: { kind: i % 2 === 0 ? ('remind' as const) : ('escalate' as const), at: at(-1) } }
      : {}),
  }));
}

/** The longest notice a list shows: several things done at once. */
function notice(m: Messages, d: Data): string {
  return doneText(m, {
    code: 'several',
    // Each kind of thing done once (not each wording of it): the list cuts a notice at 1 000 characters,
    // and a sentence cut in the middle could not be matched to its catalog entry.
    done: DONES(d.keyName, d.roleLabel).filter(
      (done) => done.code !== 'several' && !(done.code === 'rotation_requested' && done.place),
    ),
  });
}

function facts(d: Data, i = 0) {
  return {
    keyId: `0d6a3c5e-1b2f-4c7d-9e8f-${String(i).padStart(12, '0')}`,
    keyName: d.keyName,
    keySuffix: d.suffix,
    roleLabel: d.roleLabel,
  };
}

const OFFBOARD_OUTCOMES = [
  'disabled',
  'deleted',
  'reported',
  'already disabled',
  'failed',
  'left alone',
] as const;

function offboarding(
  d: Data,
  n: number,
  action: 'report' | 'disable' | 'delete',
  via: 'event' | 'daily check',
) {
  const entries = variedKeys(d, n);
  return {
    userId: 'U0LEAVER',
    action,
    via,
    keys: entries.map((entry, i) => ({
      facts: facts(d, i),
      entry: i % 2 === 0 ? entry : null,
      outcome: OFFBOARD_OUTCOMES[i % OFFBOARD_OUTCOMES.length] ?? 'disabled',
    })),
    vanished: n > 5 ? 3 : 0,
    cancelled: n > 5 ? 2 : 0,
    now: NOW,
  };
}

const LEAK_OUTCOMES: LeakOutcome[] = [
  'disabled',
  'deleted',
  'reported',
  'already_disabled',
  'already_gone',
  'failed',
];

function leaked(d: Data, n: number): LeakedKey[] {
  return Array.from({ length: n }, (_, i) => ({
    key: { keyId: facts(d, i).keyId, keyName: d.keyName, keySuffix: d.suffix, ownerId: 'U0OWNER' },
    outcome: LEAK_OUTCOMES[i % LEAK_OUTCOMES.length] ?? 'disabled',
  }));
}

const SITE = { channel: 'C0GENERAL', ts: '1.2', threadTs: null, userId: 'U0PASTER' };
const NO_ONE = { ...SITE, userId: null };

const UPDATE_TYPES = [
  'created',
  'deleted',
  'name-changed',
  'role-changed',
  'state-changed',
  'date-changed',
  'ip-access-list-changed',
  'org-role-changed',
  'default-service-role-changed',
  'service-role-changed',
  'roles-v2-changed',
  'something-new',
];

function drifts(d: Data): DriftNotice[] {
  const base: DriftNotice = {
    activityId: 'a1',
    at: NOW,
    type: 'openapi_key_update',
    updateType: 'name-changed',
    actorType: 'user',
    actorDetails: 'dana@example.com',
    actorId: 'u-1',
    keyId: 'k-1',
    keyName: d.keyName,
    keySuffix: d.suffix,
    ownerId: 'U0OWNER',
    disabled: null,
  };
  return [
    ...UPDATE_TYPES.map((updateType) => ({ ...base, updateType })),
    { ...base, type: 'key_create', updateType: null, ownerId: null, disabled: 'disabled' },
    { ...base, type: 'key_create', updateType: null, ownerId: null, disabled: 'failed', keyName: null },
    {
      ...base,
      type: 'key_delete',
      updateType: null,
      keyName: null,
      keyId: null,
      actorDetails: null,
      actorId: null,
      actorType: null,
    },
  ];
}

const AUDIT_ACTIONS = [
  'request.submitted',
  'request.approved',
  'request.denied',
  'request.expired',
  'key.created',
  'key.delete',
  'leak.disable',
  'drift.detected',
  'timer.offboarding.check',
  'timer.expiry.delete',
  'audit.head',
];

function auditLines(d: Data, n: number) {
  return Array.from({ length: n }, (_, i) => {
    const event: AuditEvent = {
      seq: i,
      at: at(-i),
      actorId: ['U0DANA', 'system', 'policy'][i % 3] ?? 'system',
      action: AUDIT_ACTIONS[i % AUDIT_ACTIONS.length] ?? 'key.delete',
      outcome: (['ok', 'failed', 'refused', 'attempt'] as const)[i % 4] ?? 'ok',
      requestId: i % 2 === 0 ? 'r-1' : null,
      keyId: null,
      keyName: i % 5 === 4 ? null : d.keyName,
      keySuffix: i % 3 === 0 ? d.suffix : null,
      upstreamRequestId: null,
      detail: null,
      prevHash: null,
      hash: 'h',
    };
    const request =
      i % 2 === 0
        ? keyRequest({ keyName: d.keyName, expiry: ['30d', 'never', 'keep', '12h'][i % 4] ?? '30d' })
        : null;
    return { event, request };
  });
}

function requesterNotices(d: Data): RequesterNotice[] {
  const request = keyRequest({ keyName: d.keyName });
  const key = { keyName: d.keyName, keySuffix: d.suffix };
  return [
    ...(['disabled', 'enabled', 'deleted', 'renamed', 'shortened'] as const).map((verb) => ({
      kind: 'key_managed' as const,
      ...key,
      verb,
      by: 'U0ADMIN',
    })),
    { kind: 'denied', request, by: 'U0DANA', reason: d.reason },
    { kind: 'denied', request, by: 'U0DANA', reason: null },
    { kind: 'expired', request, stage: 'approval' },
    { kind: 'expired', request, stage: 'claim' },
    { kind: 'not_delivered', request, keyDeleted: true },
    { kind: 'not_delivered', request, keyDeleted: false },
    { kind: 'recovered', request },
    { kind: 'change_applied', request },
    { kind: 'change_failed', request, refusal: { code: 'keys_limit', owned: 20, limit: 20 } },
    { kind: 'change_failed', request, refusal: null },
    { kind: 'rotation_started', ...key, successorSuffix: d.successor, at: at(7) },
    { kind: 'key_retired', ...key, successorSuffix: d.successor, deleteAt: at(30) },
    { kind: 'key_reassigned', ...key, role: 'new_owner', by: 'U0ADMIN', from: 'U0OLD', to: 'U0NEW' },
    { kind: 'key_reassigned', ...key, role: 'new_owner', by: 'U0ADMIN', from: null, to: 'U0NEW' },
    { kind: 'key_reassigned', ...key, role: 'old_owner', by: 'U0ADMIN', from: 'U0OLD', to: 'U0NEW' },
  ] as RequesterNotice[];
}

/** A role with on call and break glass, labelled with the case's word (policy data). */
const accessRole = (d: Data) =>
  policyRole({
    label: d.word.slice(0, 75),
    maxExpiry: '7d',
    maxExpiryMs: 7 * 86_400_000,
    autoApprove: { whenIn: ['S0ONCALL'], maxExpiry: '12h', maxExpiryMs: 12 * 3_600_000 },
    breakGlass: {
      maxExpiry: '4h',
      maxExpiryMs: 4 * 3_600_000,
      reviewWithin: '1d',
      reviewWithinMs: 86_400_000,
    },
  });

/** A break glass and its review, named and explained with the case's word (user data). */
function review(d: Data, decision: BreakGlassReview['decision'] = null): BreakGlassReview {
  return {
    request: keyRequest({ keyName: d.word.slice(0, 64), reason: d.word.slice(0, 2900), expiry: '4h' }),
    role: accessRole(d),
    reviewBy: new Date(NOW.getTime() + 86_400_000),
    ref: { channel: 'C0APPROVALS', ts: '1.000001' },
    decision,
    now: NOW,
  };
}

/** The request modal's on-call and break-glass blocks, inside a modal as Slack would show them. */
function accessModal(m: Messages, d: Data): Rendered {
  return {
    kind: 'modal',
    body: {
      type: 'modal',
      title: { type: 'plain_text', text: m.t('access.breakGlassLabel') },
      submit: { type: 'plain_text', text: m.t('access.confirmYes') },
      blocks: accessModalBlocks(m, { role: accessRole(d), onCallGroup: 'S0ONCALL', breakGlass: true }),
    },
  };
}

/** `n` keys of one owner, each with another outcome, as a leak found outside Slack reports them. */
function leakedKeys(d: Data, n: number): LeakedKey[] {
  const outcomes = ['disabled', 'deleted', 'reported', 'already_disabled', 'already_gone', 'failed'] as const;
  return Array.from({ length: n }, (_, i) => ({
    key: { keyId: `key-${i}`, keyName: d.keyName, keySuffix: `${1000 + i}`, ownerId: 'U0ALICE' },
    outcome: outcomes[i % outcomes.length]!,
  }));
}

function outsideSites(d: Data): OutsideSite[] {
  return [
    {
      kind: 'github',
      repository: d.repository,
      alertNumber: 42,
      alertUrl: `https://github.com/${d.repository}/security/secret-scanning/42`,
      places: [
        { type: 'commit', path: d.filePath, commitSha: 'a'.repeat(40), startLine: 7, url: null },
        { type: 'commit', path: d.filePath, commitSha: 'b'.repeat(40), startLine: null, url: null },
        { type: 'issue_comment', path: null, commitSha: null, startLine: null, url: 'https://github.com/x' },
      ],
    },
    { kind: 'report', source: d.scanner, url: d.scanUrl },
    { kind: 'report', source: d.scanner, url: null },
  ];
}

function outsideReports(d: Data): OutsideLeakReport[] {
  return outsideSites(d).flatMap((site) => [
    { site, keys: leakedKeys(d, 1), unknown: 0 },
    { site, keys: leakedKeys(d, 12), unknown: 3 },
    { site, keys: [], unknown: 1 },
  ]);
}

/** Renderer name → its cases. A renderer exported by a view module must be here (views.test.ts checks). */
export const RENDERINGS: Record<string, (m: Messages, data: Data) => Rendered[]> = {
  helpMessage: (m, d) => [
    message(helpMessage(m, d.command, { request: true, listAll: true, admin: true, adminsToAsk: d.admins })),
    message(
      helpMessage(m, d.command, { request: false, listAll: false, admin: false, adminsToAsk: d.admins }),
    ),
  ],
  unknownCommand: (m, d) => [
    message(
      unknownCommand(m, d.command, d.word, {
        request: true,
        listAll: false,
        admin: false,
        adminsToAsk: d.admins,
      }),
    ),
  ],
  ...DIALOG_RENDERINGS,
  accessModalBlocks: (m, d) => [accessModal(m, d)],
  onCallNote: (m, d) => [
    message(
      onCallNote(m, { request: keyRequest({ expiry: '12h' }), role: accessRole(d), group: 'S0ONCALL' }),
    ),
  ],
  breakGlassMessage: (m, d) => [
    message(breakGlassMessage(m, review(d))),
    message(breakGlassMessage(m, review(d, { by: 'U0BOB', decision: 'keep', at: NOW, keyDeleted: false }))),
    message(breakGlassMessage(m, review(d, { by: 'U0BOB', decision: 'revoke', at: NOW, keyDeleted: true }))),
    message(breakGlassMessage(m, review(d, { by: 'U0BOB', decision: 'revoke', at: NOW, keyDeleted: false }))),
  ],
  breakGlassSecurityNotice: (m, d) => [message(breakGlassSecurityNotice(m, review(d), 'C0APPROVALS'))],
  reviewNudgeNote: (m, d) => [
    message(reviewNudgeNote(m, 'remind', review(d), ['U0BOB', 'S0APPROVERS'])),
    message(reviewNudgeNote(m, 'escalate', review(d), ['U0ADMIN'])),
  ],
  overdueSecurityNotice: (m, d) => [message(overdueSecurityNotice(m, review(d)))],

  keyListMessage: (m, d) => {
    const entries = variedKeys(d, d.pageKeys);
    const pages = Math.ceil(d.totalKeys / 20);
    return [
      message(
        keyListMessage(m, keyListing({ entries, total: d.totalKeys, pageCount: pages }), {
          command: d.command,
        }),
      ),
      message(
        keyListMessage(
          m,
          keyListing({ scope: 'all', entries, page: 1, pageCount: 3, total: 45, notice: notice(m, d) }),
        ),
      ),
      message(keyListMessage(m, keyListing({ entries: [], total: 0 }), { command: d.command })),
      message(keyListMessage(m, keyListing({ scope: 'all', entries: [], total: 0 }))),
      message(keyListMessage(m, keyListing({ entries: [], page: 2, pageCount: 3, total: 45 }))),
    ];
  },
  keyBlocks: (m, d) => [
    message({
      text: m.t('keys.titleMine'),
      blocks: keyBlocks(m, variedKeys(d, d.pageKeys), { scope: 'mine', page: 0 }, NOW),
    }),
  ],
  keySection: (m, d) =>
    variedKeys(d, 10).map((e) =>
      message({ text: m.t('keys.titleAll'), blocks: [keySection(m, e, { scope: 'all', page: 0 }, NOW)] }),
    ),
  keyNameText: (m, d) => [line(keyNameText(m, { name: d.keyName })), line(keyNameText(m, { name: '' }))],
  ownerText: (m) => [line(ownerText(m, { ownerId: 'U0OWNER' })), line(ownerText(m, { ownerId: null }))],
  keyExpiryText: (m, d) => variedKeys(d, 10).map((e) => line(keyExpiryText(m, e, e.expired ? null : NOW))),
  retiringText: (m) => [
    line(
      retiringText(m, { at: at(3), stage: 'retiring', successorKeyId: 'x', successorSuffix: 'AB12' }, NOW),
    ),
    line(retiringText(m, { at: at(-3), stage: 'disabled', successorKeyId: 'x', successorSuffix: '' }, NOW)),
  ],
  countLine: (m, d) => [line(countLine(m, 0, 1, 1)), line(countLine(m, 4, 5, d.totalKeys))],
  dateWithDays: (m) => [line(dateWithDays(m, NOW, at(3)))],

  homeView: (m, d) => [
    {
      kind: 'home',
      body: homeView(
        m,
        homeData({
          keys: variedKeys(d, d.homeKeys),
          requests: homeRequests(d, d.homeRequests),
          notice: notice(m, d),
        }),
        { command: d.command },
      ),
    },
    { kind: 'home', body: homeView(m, homeData({ keys: [], requests: [] }), { command: d.command }) },
  ],

  reviewMessage: (m, d) => [
    message(
      reviewMessage(m, {
        entries: reviewEntries(d, d.pageKeys),
        page: 0,
        pageCount: Math.ceil(d.totalKeys / 20),
        total: d.totalKeys,
        now: NOW,
        staleAfterMs: 30 * DAY,
        notice: notice(m, d),
      }),
    ),
    message(
      reviewMessage(m, { entries: [], page: 0, pageCount: 1, total: 0, now: NOW, staleAfterMs: 90 * DAY }),
    ),
    message(reviewMessage(m, { entries: [], page: 0, pageCount: 1, total: 0, now: NOW, staleAfterMs: null })),
    message(
      reviewMessage(m, { entries: [], page: 3, pageCount: 4, total: 70, now: NOW, staleAfterMs: null }),
    ),
  ],

  expiryWarningMessage: (m, d) => [
    message(
      expiryWarningMessage(m, {
        ownerId: 'U0OWNER',
        key: facts(d),
        expireAt: at(7),
        beforeMs: 7 * DAY,
        now: NOW,
      }),
    ),
    message(
      expiryWarningMessage(m, {
        ownerId: 'U0OWNER',
        key: { ...facts(d), keyName: '' },
        expireAt: at(1),
        beforeMs: DAY,
        now: NOW,
      }),
    ),
  ],
  keyExpiredMessage: (m, d) => [
    message(
      keyExpiredMessage(m, {
        ownerId: 'U0OWNER',
        key: facts(d),
        expireAt: at(0),
        deleteAt: at(30),
        now: NOW,
      }),
    ),
    message(
      keyExpiredMessage(m, { ownerId: 'U0OWNER', key: facts(d), expireAt: at(-1), deleteAt: null, now: NOW }),
    ),
  ],
  expiredKeyDeletedMessage: (m, d) => [
    message(expiredKeyDeletedMessage(m, { ownerId: 'U0OWNER', key: facts(d), expireAt: at(-30), now: NOW })),
  ],
  staleKeyMessage: (m, d) => [
    message(
      staleKeyMessage(m, {
        ownerId: 'U0OWNER',
        key: facts(d),
        since: at(-90),
        neverUsed: true,
        askAgainAt: at(90),
        now: NOW,
      }),
    ),
    message(
      staleKeyMessage(m, {
        ownerId: 'U0OWNER',
        key: facts(d),
        since: at(-40),
        neverUsed: false,
        askAgainAt: at(90),
        now: NOW,
      }),
    ),
  ],
  staleOutcomeMessage: (m, d) => [
    message(staleOutcomeMessage(m, { kind: 'kept', key: facts(d), askAgainAt: at(90), by: 'U0OWNER' })),
    message(
      staleOutcomeMessage(m, {
        kind: 'disabled',
        by: 'U0OWNER',
        done: {
          code: 'state_changed',
          key: { name: d.keyName, suffix: d.suffix },
          state: 'disabled',
          already: false,
        },
      }),
    ),
    message(
      staleOutcomeMessage(m, {
        kind: 'deleted',
        by: 'U0OWNER',
        done: { code: 'deleted', key: { name: d.keyName, suffix: d.suffix } },
      }),
    ),
  ],
  nudgeNote: (m, d) => [
    message(
      nudgeNote(m, {
        kind: 'remind',
        request: keyRequest({ keyName: d.keyName, createdAt: at(-3) }),
        mention: [],
        now: NOW,
      }),
    ),
    message(
      nudgeNote(m, {
        kind: 'escalate',
        request: keyRequest({ keyName: d.keyName, createdAt: new Date(NOW.getTime() - 5 * 3_600_000) }),
        mention: ['U0ADMIN', 'S0ADMINS'],
        now: NOW,
      }),
    ),
    message(
      nudgeNote(m, {
        kind: 'remind',
        request: keyRequest({ keyName: d.keyName, createdAt: new Date(NOW.getTime() - 60_000) }),
        mention: ['U0A'],
        now: NOW,
      }),
    ),
  ],
  cancelledNote: (m, d) => [message(cancelledNote(m, keyRequest({ keyName: d.keyName }), 'U0LEAVER'))],
  reactivationMessage: (m) =>
    (['report', 'disable', 'delete'] as const).flatMap((action) =>
      (['event', 'daily check'] as const).map((via) =>
        message(reactivationMessage(m, { userId: 'U0BACK', via, action, now: NOW })),
      ),
    ),
  offboardingReportMessage: (m, d) => [
    message(offboardingReportMessage(m, offboarding(d, d.pageKeys + 10, 'disable', 'event'))),
    message(offboardingReportMessage(m, offboarding(d, 2, 'report', 'daily check'))),
    message(offboardingReportMessage(m, offboarding(d, 0, 'delete', 'event'))),
  ],

  leakThreadReply: (m, d) => [
    message(leakThreadReply(m, { site: SITE, keys: leaked(d, 1), unknown: 0 })),
    message(leakThreadReply(m, { site: SITE, keys: leaked(d, d.pageKeys + 12), unknown: 3 })),
    message(leakThreadReply(m, { site: SITE, keys: [], unknown: 1 })),
  ],
  leakOwnerMessage: (m, d) => [
    ...leaked(d, 6).map((one) =>
      message(leakOwnerMessage(m, { ownerId: 'U0OWNER', site: SITE, keys: [one] })),
    ),
    message(leakOwnerMessage(m, { ownerId: 'U0OWNER', site: NO_ONE, keys: leaked(d, 1) })),
    message(leakOwnerMessage(m, { ownerId: 'U0OWNER', site: SITE, keys: leaked(d, d.pageKeys + 12) })),
    message(leakOwnerMessage(m, { ownerId: 'U0OWNER', site: NO_ONE, keys: leaked(d, 2) })),
  ],
  leakSecurityNotice: (m, d) => [
    message(leakSecurityNotice(m, { site: SITE, keys: leaked(d, d.pageKeys + 12), unknown: 2 })),
    message(leakSecurityNotice(m, { site: NO_ONE, keys: [], unknown: 1 })),
    message(leakSecurityNotice(m, { site: SITE, keys: leaked(d, 1), unknown: 0 })),
  ],
  driftSecurityNotice: (m, d) => drifts(d).map((n) => message(driftSecurityNotice(m, n))),
  driftOwnerMessage: (m, d) => drifts(d).map((n) => message(driftOwnerMessage(m, n))),

  auditMessage: (m, d) => [
    message(auditMessage(m, { query: { kind: 'all' }, lines: auditLines(d, d.pageKeys) })),
    message(auditMessage(m, { query: { kind: 'key', key: d.keyName }, lines: auditLines(d, 3) })),
    message(auditMessage(m, { query: { kind: 'user', userId: 'U0ALICE' }, lines: [] })),
  ],
  describeAuditEvent: (m, d) => auditLines(d, 24).map((l) => line(describeAuditEvent(m, l))),
  // A date token, and the words for a time that cannot be read.
  auditTime: (m) => [line(auditTime(m, NOW)), line(auditTime(m, new Date(Number.NaN)))],
  auditRefused: (m) => [message(auditRefused(m))],

  requesterNotice: (m, d) =>
    requesterNotices(d).map((n) => message(requesterNotice(m, n, { command: d.command }))),
  threadNote: (m, d) => [
    message(threadNote(m, { kind: 'approved', by: 'U0DANA', given: 1, needed: 2 })),
    message(threadNote(m, { kind: 'denied', by: 'U0DANA', reason: d.reason })),
    message(threadNote(m, { kind: 'denied', by: 'U0DANA', reason: null })),
    message(threadNote(m, { kind: 'expired' })),
    message(threadNote(m, { kind: 'key_created', at: NOW })),
    message(threadNote(m, { kind: 'claim_expired' })),
  ],
  errorNotice: (m, d) => [
    message(errorNotice(m, refusalText(m, { code: 'keys_limit', owned: 20, limit: 20 }))),
    message(errorNotice(m, m.t('errors.wentWrong', { reference: 'ABCD1234' }), 'ABCD1234')),
    message(errorNotice(m, refusalText(m, { code: 'leaked', key: { name: d.keyName, suffix: d.suffix } }))),
  ],

  auditHeadMessage: (m) => [
    message(
      auditHeadMessage(m, {
        seq: Number.MAX_SAFE_INTEGER,
        hash: 'f'.repeat(64),
        day: '2026-06-02',
        now: NOW,
      }),
    ),
  ],

  refusalText: (m, d) => REFUSALS(d.keyName, d.roleLabel).map((r) => line(refusalText(m, r))),
  problemText: (m, d) => PROBLEMS(d.nameHint, d.roleLabel).map((p) => line(problemText(m, p))),
  problemsText: (m, d) => [
    line(
      problemsText(m, { keyName: PROBLEMS(d.nameHint, d.roleLabel)[0], reason: { code: 'reason_missing' } }),
    ),
  ],
  doneText: (m, d) => DONES(d.keyName, d.roleLabel).map((done) => line(doneText(m, done))),
  outsideLeakSecurityNotice: (m, d) => outsideReports(d).map((r) => message(outsideLeakSecurityNotice(m, r))),
  outsideLeakOwnerMessage: (m, d) =>
    outsideReports(d)
      .filter((r) => r.keys.length > 0)
      .map((r) => message(outsideLeakOwnerMessage(m, { ownerId: 'U0ALICE', site: r.site, keys: r.keys }))),
  alertResolutionComment: (m, d) => [
    { kind: 'line', body: alertResolutionComment(m, leakedKeys(d, 1)) },
    { kind: 'line', body: alertResolutionComment(m, leakedKeys(d, 12)) },
  ],
  deliverToBlock: (m, d) => {
    const block = deliverToBlock(m, destinations(d));
    const title = { type: 'plain_text', text: m.t('delivery.deliverToLabel') };
    const submit = { type: 'plain_text', text: m.t('delivery.tryAgain') };
    return [{ kind: 'modal', body: { type: 'modal', title, submit, blocks: [block] } }];
  },
  approvalDestinationBlock: (m, d) =>
    places(d).map((place) =>
      message({ text: placeWords(m, place), blocks: [approvalDestinationBlock(m, place)] }),
    ),
  placeWords: (m, d) => places(d).map((place) => line(placeWords(m, place))),
  keyPlaceText: (m, d) => places(d).map((place) => line(keyPlaceText(m, place))),
  deliveryMessage: (m, d) =>
    places(d).flatMap((place) => [
      message(
        deliveryMessage(m, {
          kind: 'delivered',
          keyName: d.keyName,
          keySuffix: 'a1b2',
          roleLabel: d.roleLabel,
          expireAt: new Date('2026-12-01T00:00:00Z'),
          place,
        }),
      ),
      message(
        deliveryMessage(m, {
          kind: 'delivered',
          keyName: d.keyName,
          keySuffix: 'a1b2',
          roleLabel: d.roleLabel,
          expireAt: null,
          place,
        }),
      ),
      message(deliveryMessage(m, { kind: 'rotated', keyName: d.keyName, keySuffix: 'a1b2', place })),
      message(
        deliveryMessage(m, {
          kind: 'failed',
          requestId: 'req-1',
          keyName: d.keyName,
          place,
          said: { by: 'destination', words: d.destinationError },
          keyDeleted: true,
        }),
      ),
      message(
        deliveryMessage(m, {
          kind: 'failed',
          requestId: 'req-1',
          keyName: d.keyName,
          place,
          said: { by: 'clickhouse', words: d.destinationError },
          keyDeleted: false,
        }),
      ),
      message(
        deliveryMessage(m, {
          kind: 'failed',
          requestId: 'req-1',
          keyName: d.keyName,
          place,
          said: null,
          keyDeleted: true,
        }),
      ),
    ]),
  rotationFailedMessage: (m, d) =>
    places(d).flatMap((place) =>
      [{ by: 'destination' as const, words: d.destinationError }, null].map((said) =>
        message(rotationFailedMessage(m, { keyName: d.keyName, keySuffix: 'a1b2', place, said })),
      ),
    ),
  accessText: (m) => (['read', 'manage', 'query-endpoints'] as const).map((a) => line(accessText(m, a))),
  serviceBlocks: (m, d) => [
    inModal(m, serviceBlocks(m, { kind: 'unavailable' })),
    inModal(m, serviceBlocks(m, { kind: 'offered', access: 'read', services: [] })),
    inModal(
      m,
      serviceBlocks(m, {
        kind: 'offered',
        access: 'query-endpoints',
        // As many as a multi-select holds, each with the longest name.
        services: Array.from({ length: 100 }, (_, i) => ({
          id: `${String(i).padStart(8, '0')}-1111-4111-8111-111111111111`,
          name: i % 2 === 0 ? d.service : d.otherService,
        })),
        chosen: [`${'0'.repeat(8)}-1111-4111-8111-111111111111`],
      }),
    ),
  ],
  servicesLine: (m, d) => {
    const chosen = [
      { id: SERVICE_IDS[0]!, name: d.oldService },
      { id: SERVICE_IDS[1]!, name: d.otherService },
    ];
    return [
      line(servicesLine(m, 'read', chosen, null)),
      line(servicesLine(m, 'manage', chosen, [{ id: SERVICE_IDS[0]!, name: d.service }])),
    ];
  },
  serviceProblemText: (m) => [
    line(serviceProblemText(m, { code: 'services_none' })),
    line(serviceProblemText(m, { code: 'service_not_offered', serviceId: SERVICE_IDS[0]! })),
  ],
  serviceRefusalText: (m, d) => [
    line(serviceRefusalText(m, { code: 'service_role_busy' })),
    line(serviceRefusalText(m, { code: 'service_role_conflict', roleName: d.service })),
  ],
};

function destinations(d: Data): Destination[] {
  const names = { keyId: 'CLICKHOUSE_KEY_ID', keySecret: 'CLICKHOUSE_KEY_SECRET' };
  return [
    { id: 'ci', type: 'github-actions', repository: d.repository, names },
    { id: 'ci-env', type: 'github-actions', repository: d.repository, environment: d.environment, names },
    { id: 'vault', type: 'vault-kv', mount: d.vaultMount, path: d.vaultPath },
  ];
}

function places(d: Data) {
  return destinations(d).map((destination) => placeOf(destination));
}

/** View modules, and their exports that render nothing (readers of payloads, helpers, ids). */
export const VIEW_MODULES: Record<string, readonly string[]> = {
  help: [],
  ...DIALOG_VIEW_MODULES,
  access: ['readBreakGlass'],
  'key-list': ['pageOf', 'noticeSection', 'withNotice', 'keySuffixText'],
  home: [],
  review: [],
  outcomes: ['keyLabelText', 'withoutDateTokens'],
  'timed-messages': ['memberMention'],
  watch: ['withRotate'],
  audit: ['verbOf'],
  notices: [],
  'audit-head': [],
  'outside-leaks': [],
  delivery: ['DELIVER_TO', 'destinationsOf', 'placeOf'],
  services: ['readServiceChoice'],
};

/** Modules of src/views that render no words of their own: ids, formatting helpers, the index. */
export const NOT_VIEWS = ['format', 'ids', 'index', 'mrkdwn'];

/** Views still to be converted to the catalogs (issue #21); empty when every view speaks from them. */
export const NOT_CONVERTED = [];
