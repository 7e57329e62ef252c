/** Data factories for the view and notifier tests: realistic defaults, overridable per test. */
import type { ApiKey } from '../../src/api/schemas.js';
import type { Decision, KeyRequest } from '../../src/core/model.js';
import type {
  ApprovalCard,
  ClaimCard,
  HomeData,
  KeyEntry,
  KeyListing,
  SecretReveal,
} from '../../src/core/ports.js';
import { Secret } from '../../src/core/secret.js';
import type { ExpiryChoice, PolicyRole } from '../../src/policy/index.js';

/** The fixed clock of every rendering test (snapshots depend on it). */
export const NOW = new Date('2026-11-27T14:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const REQUEST_ID = '7b0c1a52-9f3e-4d1a-8a43-2f5b9c0e6d11';

export function policyRole(overrides: Partial<PolicyRole> = {}): PolicyRole {
  return {
    id: 'developer',
    label: 'Developer (read-only)',
    grant: { roles: ['developer'] },
    maxExpiry: '90d',
    maxExpiryMs: 90 * DAY,
    approvals: 2,
    ...overrides,
  };
}

export function keyRequest(overrides: Partial<KeyRequest> = {}): KeyRequest {
  return {
    id: REQUEST_ID,
    kind: 'create',
    requesterId: 'U0REQUESTER',
    keyName: 'etl-nightly',
    roleId: 'developer',
    expiry: '30d',
    reason: 'Nightly ETL job loads the events table.',
    ipAccessList: [{ source: '203.0.113.0/24', description: 'office VPN' }],
    approvalsRequired: 2,
    state: 'pending',
    createdAt: new Date(NOW.getTime() - HOUR),
    updatedAt: new Date(NOW.getTime() - HOUR),
    deadline: new Date(NOW.getTime() + 23 * HOUR),
    decidedAt: null,
    keyId: null,
    keySuffix: null,
    attemptId: null,
    attemptStartedAt: null,
    change: null,
    rotation: null,
    services: null,
    ...overrides,
  };
}

export function approval(userId: string, at: Date = NOW): Decision {
  return { requestId: REQUEST_ID, userId, decision: 'approve', reason: null, at };
}

export function denial(userId: string, reason: string | null, at: Date = NOW): Decision {
  return { requestId: REQUEST_ID, userId, decision: 'deny', reason, at };
}

export function approvalCard(overrides: Partial<ApprovalCard> = {}): ApprovalCard {
  return {
    request: keyRequest(),
    role: policyRole(),
    approvals: [],
    denial: null,
    now: NOW,
    ...overrides,
  };
}

export function claimCard(overrides: Partial<ClaimCard> = {}): ClaimCard {
  return {
    request: keyRequest({ state: 'approved', decidedAt: NOW, deadline: new Date(NOW.getTime() + 24 * HOUR) }),
    role: policyRole(),
    approvedBy: ['U0APPROVER1', 'U0APPROVER2'],
    status: 'open',
    now: NOW,
    ...overrides,
  };
}

export function apiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: '0d6a3c5e-1b2f-4c7d-9e8f-a1b2c3d4e5f6',
    name: 'etl-nightly',
    state: 'enabled',
    roles: ['developer'],
    assignedRoles: [],
    keySuffix: 'WXYZ',
    createdAt: NOW.toISOString(),
    expireAt: new Date(NOW.getTime() + 30 * DAY).toISOString(),
    usedAt: null,
    ipAccessList: [{ source: '203.0.113.0/24', description: 'office VPN' }],
    ...overrides,
  };
}

/** A reveal holding `secret`; tests pick a distinctive secret and search for it. */
export function secretReveal(secret: string, overrides: Partial<SecretReveal> = {}): SecretReveal {
  return {
    request: keyRequest({ state: 'creating' }),
    role: policyRole(),
    key: apiKey(),
    keyId: 'ABCDEFGHIJKLMNOPWXYZ',
    secret: new Secret(secret),
    apiUrl: 'https://api.clickhouse.cloud',
    ...overrides,
  };
}

export const EXPIRY_CHOICES: ExpiryChoice[] = [
  { value: '1d', label: '1 day', ms: DAY },
  { value: '7d', label: '7 days', ms: 7 * DAY },
  { value: '30d', label: '30 days', ms: 30 * DAY },
  { value: '90d', label: '90 days', ms: 90 * DAY },
];

/** A key as its owner sees it in a list: every action allowed. */
export function keyEntry(overrides: Partial<KeyEntry> = {}): KeyEntry {
  return {
    key: apiKey(),
    ownerId: 'U0REQUESTER',
    self: false,
    expired: false,
    roleLabel: 'Developer (read-only)',
    can: { toggle: true, edit: true, delete: true },
    ...overrides,
  };
}

/** `n` distinct keys with predictable ids (`…-000000000007`), names and suffixes. */
export function keyEntries(n: number, overrides: Partial<KeyEntry> = {}): KeyEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const number = String(i).padStart(12, '0');
    return keyEntry({
      key: apiKey({
        id: `0d6a3c5e-1b2f-4c7d-9e8f-${number}`,
        name: `key-${String(i).padStart(3, '0')}`,
        keySuffix: String(i).padStart(4, '0'),
      }),
      ...overrides,
    });
  });
}

export function keyListing(overrides: Partial<KeyListing> = {}): KeyListing {
  const entries = overrides.entries ?? [keyEntry()];
  return {
    scope: 'mine',
    viewerId: 'U0REQUESTER',
    entries,
    page: 0,
    pageCount: 1,
    total: entries.length,
    now: NOW,
    ...overrides,
  };
}

export function homeData(overrides: Partial<HomeData> = {}): HomeData {
  return {
    viewerId: 'U0REQUESTER',
    keys: [keyEntry()],
    requests: [{ request: keyRequest(), roleLabel: 'Developer (read-only)' }],
    now: NOW,
    ...overrides,
  };
}
