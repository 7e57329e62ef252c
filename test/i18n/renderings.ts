/**
 * Every renderer of src/views, with cases that reach its branches, drawn from `Data` so the same
 * cases run with everyday values and with the longest values the policy and Slack allow. The
 * word tests (views.test.ts) render them all in every language.
 */

import type { BreakGlassReview } from '../../src/core/access.js';
import type { LeakedKey, OutsideLeakReport, OutsideSite } from '../../src/core/watch-ports.js';
import type { Messages } from '../../src/i18n/index.js';
import {
  accessModalBlocks,
  breakGlassMessage,
  breakGlassSecurityNotice,
  onCallNote,
  overdueSecurityNotice,
  reviewNudgeNote,
} from '../../src/views/access.js';
import { helpMessage, unknownCommand } from '../../src/views/help.js';
import {
  alertResolutionComment,
  outsideLeakOwnerMessage,
  outsideLeakSecurityNotice,
} from '../../src/views/outside-leaks.js';
import {
  accessText,
  serviceBlocks,
  serviceProblemText,
  serviceRefusalText,
  servicesLine,
} from '../../src/views/services.js';
import { keyRequest, NOW, policyRole } from '../views/fixtures.js';
import {
  DIALOG_EVERYDAY,
  DIALOG_LONGEST,
  DIALOG_RENDERINGS,
  DIALOG_VIEW_MODULES,
  type DialogData,
} from './dialog-renderings.js';

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
  /** Services as the console names them (product.md §16), and the name one had before a rename. */
  service: string;
  otherService: string;
  oldService: string;
  /** The admins to ask, as Slack mentions (the policy's `adminsToAsk`). */
  admins: string;
  /** A key's name, and where a leak of it was found (a repository and file, a scanner and its URL). */
  keyName: string;
  repository: string;
  filePath: string;
  scanner: string;
  scanUrl: string;
}

export const EVERYDAY: Data = {
  command: '/chkey',
  word: 'frobnicate',
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
};

/** Slack allows a slash command of 32 characters; a word may be as long as a message allows. */
export const LONGEST: Data = {
  command: `/${'k'.repeat(31)}`,
  word: 'w'.repeat(3_900),
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
  outsideLeakSecurityNotice: (m, d) => outsideReports(d).map((r) => message(outsideLeakSecurityNotice(m, r))),
  outsideLeakOwnerMessage: (m, d) =>
    outsideReports(d)
      .filter((r) => r.keys.length > 0)
      .map((r) => message(outsideLeakOwnerMessage(m, { ownerId: 'U0ALICE', site: r.site, keys: r.keys }))),
  alertResolutionComment: (m, d) => [
    { kind: 'line', body: alertResolutionComment(m, leakedKeys(d, 1)) },
    { kind: 'line', body: alertResolutionComment(m, leakedKeys(d, 12)) },
  ],
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

/** View modules, and their exports that render nothing (readers of payloads, helpers, ids). */
export const VIEW_MODULES: Record<string, readonly string[]> = {
  help: [],
  ...DIALOG_VIEW_MODULES,
  access: ['readBreakGlass'],
  'outside-leaks': [],
  services: ['readServiceChoice'],
};

/** Modules of src/views that render no words of their own: ids, formatting helpers, the index. */
export const NOT_VIEWS = ['format', 'ids', 'index', 'mrkdwn'];

/** Views still to be converted to the catalogs (issue #21); empty when every view speaks from them. */
export const NOT_CONVERTED = [
  'audit',
  'audit-head',
  'home',
  'key-list',
  'notices',
  'outcomes',
  'review',
  'timed-messages',
  'watch',
];
