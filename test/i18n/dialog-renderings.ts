/**
 * The cases of the dialogs and of a request's messages (request, edit, key dialogs, delete, deny,
 * progress, approval, Create key, secret), kept beside renderings.ts so each part of the views
 * adds its own without touching the others'. Every case is drawn from `DialogData`, so it runs with
 * everyday values and with the longest the policy and Slack allow.
 */

import type { PolicyRole } from '../../src/core/policy-model.js';
import { MAX_KEY_NAME_LENGTH, MAX_REASON_LENGTH } from '../../src/core/policy-model.js';
import { KEEP } from '../../src/core/ports.js';
import type { Messages } from '../../src/i18n/index.js';
import { approvalMessage } from '../../src/views/approval-message.js';
import { claimMessage } from '../../src/views/claim-message.js';
import { deleteKeyModal } from '../../src/views/delete-modal.js';
import {
  denyCheckingModal,
  denyModal,
  denyOutcomeModal,
  denyWorkingModal,
} from '../../src/views/deny-modal.js';
import {
  editKeyModal,
  editLoadingModal,
  editOutcomeModal,
  editWorkingModal,
} from '../../src/views/edit-modal.js';
import {
  extendKeyModal,
  liftLeakModal,
  reassignKeyModal,
  rotateKeyModal,
} from '../../src/views/key-dialogs.js';
import { keyNameHint } from '../../src/views/key-name-rule.js';
import { outcomeModal, workingModal } from '../../src/views/progress-modal.js';
import {
  requestCheckingModal,
  requestModal,
  requestOutcomeModal,
  requestSentModal,
  requestWorkingModal,
} from '../../src/views/request-modal.js';
import { secretMessage } from '../../src/views/secret-message.js';
import {
  apiKey,
  approval,
  approvalCard,
  claimCard,
  denial,
  EXPIRY_CHOICES,
  keyEntry,
  keyRequest,
  NOW,
  policyRole,
  secretReveal,
} from '../views/fixtures.js';

/** What the dialogs' cases need: user data, never from a catalog. Flat strings, so the checks can take them out. */
export interface DialogData {
  keyName: string;
  roleLabel: string;
  otherRoleLabel: string;
  reason: string;
  ipDescription: string;
  /** A key-name pattern the hint cannot describe, and the policy's own words for it. */
  oddPattern: string;
  oddPatternHint: string;
  /** A message a handler words (a refusal, an error) and hands to a dialog. */
  said: string;
  /** Why an approver denied (at most DENY_REASON_MAX). */
  denyReason: string;
  /** A key's suffix (the last four of its Key ID) and the secret's shape, as ClickHouse makes them. */
  keyId: string;
  keySuffix: string;
  /** A policy role id, shown where a change names the role a key had. */
  roleId: string;
  secret: string;
  apiUrl: string;
  /** The secret message's example is a command line, not words: it reads the same in every language. */
  shellCommand: string;
  apiPath: string;
}

export const DIALOG_EVERYDAY: DialogData = {
  keyName: 'etl-nightly',
  roleLabel: 'Developer (read-only)',
  otherRoleLabel: 'Admin',
  reason: 'Nightly ETL job loads the events table.',
  ipDescription: 'office VPN',
  oddPattern: '^(etl|bi)-[a-z]+$',
  oddPatternHint: 'Start with etl- or bi-, then lowercase letters.',
  said: 'Only Keyhouse admins can give a key another owner.',
  denyReason: 'Use the shared ETL key instead.',
  keyId: 'ABCDEFGHIJKLMNOPWXYZ',
  keySuffix: 'WXYZ',
  roleId: 'developer',
  secret: 'sEcReT-4f9a2b7c1d0e8f3a6b5c',
  apiUrl: 'https://api.clickhouse.cloud',
  shellCommand: 'curl --user',
  apiPath: '/v1/organizations',
};

/** The longest each field may be: key names 64, role labels 75 (an option's text), reasons 2,900, IP descriptions 100. */
export const DIALOG_LONGEST: DialogData = {
  keyName: 'n'.repeat(MAX_KEY_NAME_LENGTH),
  roleLabel: 'r'.repeat(75),
  otherRoleLabel: 'o'.repeat(75),
  reason: 'y'.repeat(MAX_REASON_LENGTH),
  ipDescription: 'd'.repeat(100),
  oddPattern: `^(${'a'.repeat(200)}|b)$`,
  oddPatternHint: 'h'.repeat(150),
  said: 's'.repeat(2_000),
  denyReason: 'q'.repeat(500),
  keyId: 'K'.repeat(40),
  keySuffix: 'KKKK',
  roleId: 'i'.repeat(64),
  secret: `sEcReT-${'x'.repeat(60)}`,
  apiUrl: `https://${'h'.repeat(200)}.example`,
  shellCommand: 'curl --user',
  apiPath: '/v1/organizations',
};

type Rendered =
  | { kind: 'message'; body: object }
  | { kind: 'modal'; body: object }
  | { kind: 'line'; body: string };

const modal = (body: object): Rendered => ({ kind: 'modal', body });
const message = (body: object): Rendered => ({ kind: 'message', body });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const line = (body: string): Rendered => ({ kind: 'line', body });

function roles(d: DialogData): PolicyRole[] {
  return [
    policyRole({ label: d.roleLabel }),
    policyRole({ id: 'admin', label: d.otherRoleLabel, maxExpiry: 'never', maxExpiryMs: null, approvals: 0 }),
    policyRole({
      id: 'ops',
      label: d.otherRoleLabel,
      maxExpiry: '36h',
      maxExpiryMs: 36 * 3_600_000,
      approvals: 1,
    }),
  ];
}

const STRICT = { pattern: '^[a-z0-9][a-z0-9-]{2,40}$', hint: null };

function requestInput(d: DialogData) {
  return {
    roles: roles(d),
    selectedRoleId: 'developer',
    expiryChoices: [...EXPIRY_CHOICES, { value: 'never', label: 'Never', ms: null }],
    reasonRequired: true,
    reasonMinLength: 10,
    reasonMaxLength: 2000,
    defaultIpAccessList: [{ source: '0.0.0.0/0', description: d.ipDescription }],
    keyName: STRICT,
  };
}

function entry(d: DialogData, overrides: Parameters<typeof keyEntry>[0] = {}) {
  return keyEntry({
    key: apiKey({ name: d.keyName, keySuffix: d.keySuffix }),
    roleLabel: d.roleLabel,
    ...overrides,
  });
}

function request(d: DialogData, overrides: Parameters<typeof keyRequest>[0] = {}) {
  return keyRequest({
    keyName: d.keyName,
    reason: d.reason,
    ipAccessList: [{ source: '203.0.113.0/24', description: d.ipDescription }, { source: '198.51.100.7/32' }],
    ...overrides,
  });
}

function change(d: DialogData) {
  return {
    keyId: '0d6a3c5e-1b2f-4c7d-9e8f-a1b2c3d4e5f6',
    keySuffix: d.keySuffix,
    from: { roleId: d.roleId as string | null, expireAt: '2026-12-01T00:00:00.000Z' as string | null },
    to: { roleId: 'admin', expiry: '7d' },
  };
}

function rotateInput(d: DialogData) {
  return {
    entry: entry(d),
    role: policyRole({ label: d.roleLabel, approvals: 1 }),
    expiryChoices: EXPIRY_CHOICES,
    overlaps: [HOUR, DAY, 7 * DAY],
    defaultOverlapMs: DAY,
    needsApproval: false,
    envelope: new Date(NOW.getTime() + 30 * DAY) as Date | 'never',
    context: '{}',
  };
}

/** Where a key in a destination lives, as long as the names the policy allows make it. */
function deliveredTo(d: DialogData) {
  return {
    kind: 'github' as const,
    repository: `acme/${d.keyName}`.slice(0, 140),
    environment: d.keyName,
    names: ['CLICKHOUSE_KEY_ID', 'CLICKHOUSE_KEY_SECRET'],
  };
}

/** Renderer name → its cases. */
export const DIALOG_RENDERINGS: Record<string, (m: Messages, d: DialogData) => Rendered[]> = {
  workingModal: (m, d) => [modal(workingModal(m, m.t('request.title'), d.said))],
  outcomeModal: (m, d) => [
    modal(outcomeModal(m, m.t('request.title'), { ok: true, text: d.said })),
    modal(outcomeModal(m, m.t('request.title'), { ok: false, text: d.said })),
  ],
  requestModal: (m, d) => [
    modal(requestModal(m, requestInput(d))),
    modal(requestModal(m, { ...requestInput(d), selectedRoleId: null, reasonMinLength: 1 })),
    modal(requestModal(m, { ...requestInput(d), expiryChoices: [], reasonMinLength: 0 })),
    modal(requestModal(m, { ...requestInput(d), roles: [], defaultIpAccessList: [] })),
    modal(
      requestModal(m, {
        ...requestInput(d),
        destinations: [{ id: 'vault', type: 'vault-kv', mount: 'secret', path: 'clickhouse/{keyName}' }],
      }),
    ),
    modal(
      requestModal(m, {
        ...requestInput(d),
        selectedRoleId: 'admin',
        keyName: { pattern: d.oddPattern, hint: d.oddPatternHint },
        defaultIpAccessList: [
          { source: '203.0.113.0/24' },
          { source: '198.51.100.7/32', description: d.ipDescription },
        ],
      }),
    ),
  ],
  requestCheckingModal: (m) => [modal(requestCheckingModal(m))],
  requestWorkingModal: (m, d) => [modal(requestWorkingModal(m, d.keyName))],
  requestOutcomeModal: (m, d) => [
    modal(requestOutcomeModal(m, { ok: false, text: d.said })),
    modal(requestOutcomeModal(m, { ok: true, text: d.said })),
  ],
  requestSentModal: (m, d) => [
    modal(requestSentModal(m, keyRequest({ keyName: d.keyName }), 'C0APPROVALS')),
    modal(requestSentModal(m, keyRequest({ keyName: d.keyName, approvalsRequired: 1 }), 'C0APPROVALS')),
    modal(
      requestSentModal(
        m,
        keyRequest({ keyName: d.keyName, state: 'approved', approvalsRequired: 0 }),
        'C0APPROVALS',
      ),
    ),
    modal(
      requestSentModal(
        m,
        keyRequest({ keyName: d.keyName, approvalsRequired: 2 }),
        'C0APPROVALS',
        deliveredTo(d),
      ),
    ),
    modal(
      requestSentModal(
        m,
        keyRequest({ keyName: d.keyName, state: 'approved', approvalsRequired: 0 }),
        'C0APPROVALS',
        { kind: 'vault', path: `secret/clickhouse/${d.keyName}` },
      ),
    ),
  ],
  editKeyModal: (m, d) => {
    const base = {
      entry: entry(d),
      roles: roles(d),
      currentRoleId: 'developer',
      selectedRoleId: null,
      expiryChoices: EXPIRY_CHOICES,
      context: '{}',
    };
    return [
      modal(editKeyModal(m, base)),
      modal(
        editKeyModal(m, {
          ...base,
          entry: entry(d, { ownerId: null, expired: true }),
          selectedRoleId: 'admin',
          draft: { keyName: d.keyName, expiry: '7d', reason: d.reason },
          errors: { keyName: d.said, roleId: d.said, expiry: d.said, reason: d.said },
        }),
      ),
      modal(
        editKeyModal(m, {
          ...base,
          entry: entry(d, { key: apiKey({ name: d.keyName, expireAt: null }) }),
          currentRoleId: null,
        }),
      ),
    ];
  },
  editWorkingModal: (m, d) => [modal(editWorkingModal(m, d.keyName))],
  editLoadingModal: (m) => [modal(editLoadingModal(m))],
  editOutcomeModal: (m, d) => [modal(editOutcomeModal(m, { ok: true, text: d.said }))],
  rotateKeyModal: (m, d) => [
    modal(rotateKeyModal(m, rotateInput(d))),
    modal(rotateKeyModal(m, { ...rotateInput(d), needsApproval: true, envelope: 'never' })),
    modal(
      rotateKeyModal(m, {
        ...rotateInput(d),
        role: policyRole({ label: d.otherRoleLabel, approvals: 0, maxExpiryMs: null }),
      }),
    ),
    modal(
      rotateKeyModal(m, {
        ...rotateInput(d),
        needsApproval: true,
        role: policyRole({ label: d.otherRoleLabel, approvals: 0 }),
      }),
    ),
    modal(rotateKeyModal(m, { ...rotateInput(d), entry: { ...entry(d), destination: deliveredTo(d) } })),
  ],
  extendKeyModal: (m, d) => [
    modal(
      extendKeyModal(m, {
        entry: entry(d),
        role: policyRole({ label: d.roleLabel }),
        expiryChoices: EXPIRY_CHOICES,
        context: '{}',
      }),
    ),
    modal(
      extendKeyModal(m, {
        entry: entry(d),
        role: policyRole({ label: d.roleLabel, approvals: 0 }),
        expiryChoices: EXPIRY_CHOICES,
        context: '{}',
      }),
    ),
  ],
  reassignKeyModal: (m, d) => [
    modal(reassignKeyModal(m, entry(d), '{}')),
    modal(reassignKeyModal(m, entry(d, { ownerId: null }), '{}')),
  ],
  liftLeakModal: (m, d) => [modal(liftLeakModal(m, entry(d, { leaked: true }), '{}'))],
  deleteKeyModal: (m, d) => [
    modal(deleteKeyModal(m, entry(d), '{}')),
    modal(
      deleteKeyModal(
        m,
        entry(d, { ownerId: null, key: apiKey({ name: d.keyName, state: 'disabled', keySuffix: '' }) }),
        '{}',
      ),
    ),
  ],
  denyModal: (m, d) => [modal(denyModal(m, request(d)))],
  denyCheckingModal: (m) => [modal(denyCheckingModal(m))],
  denyWorkingModal: (m) => [modal(denyWorkingModal(m))],
  denyOutcomeModal: (m, d) => [
    modal(denyOutcomeModal(m, { ok: true, text: m.t('deny.denied') })),
    modal(denyOutcomeModal(m, { ok: false, text: d.said })),
  ],
  approvalMessage: (m, d) => {
    const role = policyRole({ label: d.roleLabel });
    const card = (r: Parameters<typeof keyRequest>[0], extra: Parameters<typeof approvalCard>[0] = {}) =>
      message(approvalMessage(m, approvalCard({ request: request(d, r), role, ...extra })));
    return [
      card({}, { approvals: [approval('U0APPROVER1')] }),
      card({
        reason: '',
        rotation: { keyId: change(d).keyId, keySuffix: d.keySuffix, overlapMs: DAY, until: 'never' },
      }),
      card({ reason: '', rotation: { keyId: change(d).keyId, keySuffix: d.keySuffix, overlapMs: DAY } }),
      card({ kind: 'change', change: change(d) }),
      card({
        kind: 'change',
        change: {
          ...change(d),
          from: { roleId: null, expireAt: null },
          to: { roleId: 'admin', expiry: KEEP },
        },
      }),
      card(
        { state: 'approved', decidedAt: NOW },
        { approvals: [approval('U0APPROVER1'), approval('U0APPROVER2')] },
      ),
      card({ state: 'approved', decidedAt: NOW, deadline: null, approvalsRequired: 0 }),
      card({ state: 'creating', decidedAt: NOW }),
      card({ state: 'delivered', decidedAt: NOW }),
      card({ state: 'delivered', decidedAt: NOW, expiry: 'never' }),
      card({ state: 'delivered', decidedAt: NOW, kind: 'change', change: change(d) }),
      card({ state: 'denied', decidedAt: NOW }, { denial: denial('U0APPROVER1', d.denyReason) }),
      card({ state: 'denied', decidedAt: NOW }, { denial: denial('U0APPROVER1', null) }),
      card({ state: 'denied', decidedAt: NOW }),
      card({ state: 'expired', decidedAt: NOW }),
      card({ state: 'expired' }),
    ];
  },
  claimMessage: (m, d) => {
    const approved = { state: 'approved' as const, decidedAt: NOW, deadline: new Date(NOW.getTime() + DAY) };
    const card = (r: Parameters<typeof keyRequest>[0], extra: Parameters<typeof claimCard>[0] = {}) =>
      message(
        claimMessage(
          m,
          claimCard({
            request: request(d, { ...approved, ...r }),
            role: policyRole({ label: d.roleLabel }),
            ...extra,
          }),
          {
            command: '/chkey',
          },
        ),
      );
    return [
      card({}),
      card({ deadline: null }, { approvedBy: 'policy' }),
      card(
        {
          expiry: KEEP,
          rotation: {
            keyId: change(d).keyId,
            keySuffix: 'WXYZ',
            overlapMs: DAY,
            until: '2026-12-27T14:00:00.000Z',
          },
        },
        { approvedBy: [] },
      ),
      card({ state: 'delivered' }, { status: 'created' }),
      card({}, { status: 'expired' }),
      card({ kind: 'change', change: change(d) }),
      card({ kind: 'change', change: change(d) }, { approvedBy: 'policy' }),
      card({ kind: 'change', change: change(d) }, { status: 'created' }),
      card({ kind: 'change', change: change(d) }, { status: 'expired' }),
    ];
  },
  secretMessage: (m, d) => [
    message(
      secretMessage(
        m,
        secretReveal(d.secret, {
          apiUrl: d.apiUrl,
          keyId: d.keyId,
          key: apiKey({ name: d.keyName }),
          role: policyRole({ label: d.roleLabel }),
        }),
      ),
    ),
    message(
      secretMessage(
        m,
        secretReveal(d.secret, {
          apiUrl: d.apiUrl,
          keyId: d.keyId,
          key: apiKey({ name: d.keyName, expireAt: null }),
        }),
      ),
    ),
    message(
      secretMessage(
        m,
        secretReveal(d.secret, {
          apiUrl: d.apiUrl,
          keyId: d.keyId,
          key: { ...apiKey({ name: d.keyName }), createdAt: null },
        }),
      ),
    ),
  ],
  keyNameHint: (m, d) => [
    line(keyNameHint(m, STRICT)),
    line(keyNameHint(m, { pattern: '^[A-Za-z0-9 _.-]{1,64}$', hint: null })),
    line(keyNameHint(m, { pattern: '[a-z]{8}', hint: null })),
    line(keyNameHint(m, { pattern: '^[A-Z][A-Z_]*$', hint: null })),
    line(keyNameHint(m, { pattern: d.oddPattern, hint: d.oddPatternHint })),
    line(keyNameHint(m, { pattern: d.oddPattern, hint: null })),
  ],
};

/** The dialogs' view modules, and their exports that render nothing. */
export const DIALOG_VIEW_MODULES: Record<string, readonly string[]> = {
  'progress-modal': [],
  'approval-message': [],
  'claim-message': [],
  'delete-modal': ['readDeleteModal'],
  'deny-modal': ['readDenyModal'],
  'edit-modal': ['readEditModal'],
  'key-dialogs': ['readLifecycleModal'],
  'secret-message': [],
  'request-modal': ['readRequestModal', 'requestModalBlockIds', 'requestModalErrors'],
  'key-name-rule': ['keyNameRule', 'keyNameMaxLength'],
  phrases: [
    'durationWords',
    'longestWords',
    'expiryChoiceText',
    'relativeWords',
    'instantPlain',
    'instantToken',
    'expiryWords',
    'requestExpiryWords',
    'expiresAtWords',
    'ipListWords',
    'keySummary',
  ],
};
