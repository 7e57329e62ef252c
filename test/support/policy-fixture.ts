/**
 * The made-up team every end-to-end test and the benchmark talk about, and its policy: one role
 * of each approval count. Kept apart from the harness so a script can use it without loading it.
 */
export const USERS = {
  alice: 'U0ALICE',
  bob: 'U0BOB',
  carol: 'U0CAROL',
  dave: 'U0DAVE',
  admin: 'U0ADMIN',
  eve: 'U0EVE',
} as const;

export const APPROVAL_CHANNEL = 'C0APPROVALS';

/** The policy file's fields, before validation; `overrides` replace top-level fields. */
export function testPolicyFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    approvalChannel: APPROVAL_CHANNEL,
    requesters: ['*'],
    approvers: [USERS.bob, USERS.carol, USERS.dave],
    admins: [USERS.admin],
    selfApproval: false,
    requestTtl: '24h',
    claimTtl: '24h',
    reason: { required: true, minLength: 10 },
    defaultIpAccessList: [{ source: '0.0.0.0/0', description: 'anywhere' }],
    roles: [
      {
        id: 'developer',
        label: 'Developer (read-only)',
        grant: { roles: ['developer'] },
        maxExpiry: '90d',
        approvals: 1,
      },
      { id: 'admin', label: 'Admin', grant: { roles: ['admin'] }, maxExpiry: '7d', approvals: 2 },
      {
        id: 'query-endpoints',
        label: 'Query endpoints',
        grant: { roles: ['query_endpoints'] },
        maxExpiry: '365d',
        approvals: 0,
      },
    ],
    ...overrides,
  };
}
