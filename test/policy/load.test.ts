import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isKeyhouseError } from '../../src/core/errors.js';
import { loadPolicy, PolicyError, parsePolicy } from '../../src/policy/index.js';
import { POLICY_FIELDS } from '../../src/policy/schema.js';
import { repoRoot } from '../support/requirements.js';

const MINIMAL = `
approvalChannel: C0123APPROVALS
admins: [U0123ADMIN]
roles:
  - id: query
    label: Query endpoints
    grant: { roles: [query_endpoints] }
    maxExpiry: 30d
    approvals: 0
`;

function problemsOf(text: string, file = './policy.yml'): readonly string[] {
  try {
    parsePolicy(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).problems;
  }
  throw new Error('expected parsePolicy to throw');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyhouse-policy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('policy.example.yml', () => {
  it('loads, and shows every field the policy has', async () => {
    const doc = await loadPolicy(resolve(repoRoot, 'policy.example.yml'));
    expect(doc.approvalChannel).toMatch(/^C/);
    expect(doc.roles.map((r) => r.id)).toEqual(['developer', 'admin', 'query-endpoints', 'service-reader']);
    expect(doc.roles.some((r) => r.requesters !== undefined)).toBe(true);
    expect(doc.keyName.hint).not.toBeNull();
    expect(doc.defaultIpAccessList.length).toBeGreaterThan(0);
    const raw = parse(await readFile(resolve(repoRoot, 'policy.example.yml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(raw).sort()).toEqual([...POLICY_FIELDS].sort());
  });
});

describe('parsePolicy', () => {
  it('fills in the defaults', () => {
    const doc = parsePolicy(MINIMAL, 'policy.yml');
    expect(doc).toEqual({
      approvalChannel: 'C0123APPROVALS',
      requesters: ['*'],
      approvers: [],
      admins: ['U0123ADMIN'],
      locale: 'en',
      selfApproval: false,
      requestTtlMs: 86_400_000,
      claimTtlMs: 86_400_000,
      reason: { required: true, minLength: 10, maxLength: 2000 },
      keyName: {
        pattern: '^[A-Za-z0-9 _.-]{1,64}$',
        hint: 'Use 1–64 letters, digits, spaces, dots, dashes or underscores.',
      },
      defaultIpAccessList: [{ source: '0.0.0.0/0', description: 'anywhere' }],
      roles: [
        {
          id: 'query',
          label: 'Query endpoints',
          grant: { roles: ['query_endpoints'] },
          maxExpiry: '30d',
          maxExpiryMs: 30 * 86_400_000,
          approvals: 0,
        },
      ],
      lifecycle: {
        expiryWarningsMs: [7 * 86_400_000, 86_400_000],
        deleteExpiredAfterMs: null,
        staleAfterMs: 30 * 86_400_000,
        rotationOverlapMs: 86_400_000,
        offboarding: 'disable',
      },
      approvalReminders: { remindAfterMs: 4 * 3_600_000, escalateAfterMs: 12 * 3_600_000 },
      limits: { pendingPerUser: 5, keysPerUser: 20 },
      // The security channel defaults to the approval channel.
      security: {
        channel: 'C0123APPROVALS',
        leakAction: 'disable',
        unmanagedKeys: 'report',
        github: { secretTypes: [] },
      },
    });
  });

  it("reads the lifecycle, reminder, limit and security blocks, and a role's own approval channel", () => {
    const doc = parsePolicy(
      `${MINIMAL}    approvalChannel: C0ROLEAPPROVALS
lifecycle:
  expiryWarnings: [1d, 14d, 1d]
  deleteExpiredAfter: 30d
  staleAfter: never
  rotationOverlap: 1h
  offboarding: report
approvalReminders: { remindAfter: never, escalateAfter: 2d }
limits: { pendingPerUser: 2, keysPerUser: 3 }
security: { channel: G0SECURITY1, leakAction: off, unmanagedKeys: disable }
`,
      'policy.yml',
    );
    expect(doc.roles[0]?.approvalChannel).toBe('C0ROLEAPPROVALS');
    // Longest first, each threshold once.
    expect(doc.lifecycle).toEqual({
      expiryWarningsMs: [14 * 86_400_000, 86_400_000],
      deleteExpiredAfterMs: 30 * 86_400_000,
      staleAfterMs: null,
      rotationOverlapMs: 3_600_000,
      offboarding: 'report',
    });
    expect(doc.approvalReminders).toEqual({ remindAfterMs: null, escalateAfterMs: 2 * 86_400_000 });
    expect(doc.limits).toEqual({ pendingPerUser: 2, keysPerUser: 3 });
    expect(doc.security).toEqual({
      channel: 'G0SECURITY1',
      leakAction: 'off',
      unmanagedKeys: 'disable',
      github: { secretTypes: [] },
    });
  });

  it('names the path of a wrong lifecycle or security field', () => {
    expect(
      problemsOf(`${MINIMAL}lifecycle: { offboarding: archive, staleAfter: 0d }
security: { leakAction: shout }
`),
    ).toEqual([
      expect.stringMatching(/^lifecycle\.staleAfter: /),
      'lifecycle.offboarding: "archive" is not one of disable, delete, report',
      'security.leakAction: "shout" is not one of disable, delete, report, off',
    ]);
    expect(
      problemsOf(`${MINIMAL}limits: { keysPerUsr: 3 }
`),
    ).toEqual(['limits.keysPerUsr: unknown field (did you mean "keysPerUser"?)']);
  });

  it('reads the language of channel posts, English or Korean, and names any other', () => {
    expect(parsePolicy(`${MINIMAL}locale: ko\n`, 'policy.yml').locale).toBe('ko');
    expect(parsePolicy(MINIMAL, 'policy.yml').locale).toBe('en');
    expect(problemsOf(`${MINIMAL}locale: ko-KR\n`)).toEqual(['locale: "ko-KR" is not one of en, ko']);
  });

  it('returns a deeply frozen document', () => {
    const doc = parsePolicy(MINIMAL, 'policy.yml');
    expect(Object.isFrozen(doc)).toBe(true);
    expect(Object.isFrozen(doc.roles[0])).toBe(true);
    expect(Object.isFrozen(doc.defaultIpAccessList[0])).toBe(true);
  });

  it('reads the other grant forms, never and hour durations, and an optional reason', () => {
    const doc = parsePolicy(
      `${MINIMAL}
  - id: by-name
    label: By name
    grant: { roleNames: [Member, Basic service API reader] }
    maxExpiry: never
    approvals: 0
  - id: by-id
    label: By id
    grant: { roleIds: [2f9a3c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b] }
    maxExpiry: 48h
    approvals: 0
requestTtl: 12h
claimTtl: 2d
reason: { required: false }
`,
      'policy.yaml',
    );
    expect(doc.roles[1]).toMatchObject({
      grant: { roleNames: ['Member', 'Basic service API reader'] },
      maxExpiry: 'never',
      maxExpiryMs: null,
    });
    expect(doc.roles[2]).toMatchObject({
      grant: { roleIds: ['2f9a3c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b'] },
      maxExpiry: '2d',
    });
    expect(doc.requestTtlMs).toBe(12 * 3_600_000);
    expect(doc.claimTtlMs).toBe(2 * 86_400_000);
    // An optional reason has no minimum unless one is set.
    expect(doc.reason).toEqual({ required: false, minLength: 0, maxLength: 2000 });
  });

  it('reads JSON by extension', () => {
    const json = JSON.stringify({
      approvalChannel: 'G0PRIVATE1',
      admins: ['S0ADMINS'],
      roles: [{ id: 'dev', label: 'Dev', grant: { roles: ['developer'] }, maxExpiry: '7d', approvals: 0 }],
    });
    expect(parsePolicy(json, 'policy.json').approvalChannel).toBe('G0PRIVATE1');
    // JSON has no unquoted words; the YAML reading of the same text would have accepted them.
    expect(problemsOf('{"approvalChannel": C0123}', 'policy.json')[0]).toMatch(/^line 1, column 21: /);
  });

  it('lists every problem with the file name and the path inside it', () => {
    let caught: unknown;
    try {
      parsePolicy(
        `
approvalChannel: "#approvals"
approver: [U0123]
admins: ["*"]
selfApproval: "no"
defaultIpAccessList: []
roles:
  - id: developer
    label: Developer
    grant: { roles: [developer] }
    maxExpiry: 90d
    approvals: 0
  - id: developer
    label: ${'x'.repeat(76)}
    grant: { roles: [owner], roleNames: [Admin] }
    maxExpiry: 3w
    approvals: 11
    requesters: [bob]
  - id: Bad Id
    label: Both
    grant: { roleNames: [Admin], roleIds: [2f9a3c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b] }
    maxExpiry: 7d
    approvals: 1
    maxExpiy: 7d
`,
        './policy.yml',
      );
    } catch (error) {
      caught = error;
    }
    expect(isKeyhouseError(caught, 'policy_invalid')).toBe(true);
    const error = caught as PolicyError;
    expect(error.file).toBe('./policy.yml');
    expect(error.problems).toEqual([
      `approvalChannel: "#approvals" is not a channel ID (C… or G…; find it at the bottom of the channel's details)`,
      'admins[0]: "*" is not allowed for admins (admins manage every key): list user or group IDs',
      'selfApproval: expected true or false, got "no"',
      'defaultIpAccessList: must not be empty (an empty list makes a key usable from nowhere)',
      'roles[1].label: must be at most 75 characters',
      'roles[1].grant.roles[0]: "owner" is not one of admin, developer, query_endpoints',
      'roles[1].maxExpiry: expected <n>h, <n>d or never',
      'roles[1].approvals: must be at most 10',
      'roles[1].requesters[0]: "bob" is not "*", a user ID (U…/W…) or a user-group ID (S…)',
      'roles[2].id: "Bad Id" is not a role id: use 1–64 of a-z, 0-9, "_" and "-", starting with a letter or digit',
      'roles[2].grant: has roleNames and roleIds: give exactly one of services, roles, roleNames or roleIds',
      'roles[2].maxExpiy: unknown field (did you mean "maxExpiry"?)',
      'approver: unknown field (did you mean "approvers"?)',
      'roles[1].id: "developer" is already used by roles[0]',
      'roles[2].approvals: needs 1 approval but approvers is empty',
    ]);
    expect(error.message).toBe(`Invalid policy file ./policy.yml: ${error.problems.join('; ')}`);
    expect(error.message).toContain('roles[1].maxExpiry: expected <n>h, <n>d or never');
  });

  it.each([
    [
      'a missing field',
      MINIMAL.replace('approvalChannel: C0123APPROVALS', ''),
      'approvalChannel: is required',
    ],
    ['no roles', MINIMAL.replace(/roles:[\s\S]*/, 'roles: []'), 'roles: must not be empty'],
    ['a zero ttl', `${MINIMAL}claimTtl: 0h`, 'claimTtl: expected <n>h or <n>d, greater than zero'],
    [
      'never as a ttl',
      `${MINIMAL}requestTtl: never`,
      'requestTtl: expected <n>h or <n>d ("never" is not allowed here)',
    ],
    [
      'a reason too long for Slack',
      `${MINIMAL}reason: { maxLength: 3000 }`,
      'reason.maxLength: must be at most 2900',
    ],
    [
      'minLength over maxLength',
      `${MINIMAL}reason: { minLength: 50, maxLength: 20 }`,
      'reason.minLength: is more than maxLength (20)',
    ],
    [
      'a bad key name pattern',
      `${MINIMAL}keyName: { pattern: "([a-z" }`,
      /^keyName\.pattern: is not a regular expression Keyhouse can run/,
    ],
    [
      'a key name pattern RE2 cannot run (a backreference)',
      `${MINIMAL}keyName: { pattern: "(a)\\\\1" }`,
      /^keyName\.pattern: is not a regular expression Keyhouse can run \(RE2 syntax: no backreferences or lookaround\)/,
    ],
    [
      'a bad IP',
      `${MINIMAL}defaultIpAccessList: [{ source: 10.0.0.0/40 }]`,
      'defaultIpAccessList[0].source: "10.0.0.0/40" is not an IPv4 address or CIDR',
    ],
    [
      'a bad role UUID',
      MINIMAL.replace('{ roles: [query_endpoints] }', '{ roleIds: [admin] }'),
      'roles[0].grant.roleIds[0]: "admin" is not a role UUID',
    ],
    [
      'an empty grant list',
      MINIMAL.replace('{ roles: [query_endpoints] }', '{ roles: [] }'),
      'roles[0].grant.roles: must not be empty',
    ],
    [
      'a fractional approval count',
      MINIMAL.replace('approvals: 0', 'approvals: 0.5'),
      'roles[0].approvals: expected a whole number, got 0.5',
    ],
    [
      'too few approvers',
      `${MINIMAL.replace('approvals: 0', 'approvals: 2')}approvers: [U1AAA, U1AAA]`,
      'roles[0].approvals: needs 2 approvals but approvers lists only 1 user',
    ],
    ['a list instead of a mapping', '- a\n- b\n', '(top level): expected a mapping (key: value), got a list'],
    ['an empty file', '# nothing yet\n', 'the file is empty'],
  ])('reports %s', (_name, text, expected) => {
    const problems = problemsOf(text);
    if (typeof expected === 'string') expect(problems).toEqual([expected]);
    else expect(problems).toEqual([expect.stringMatching(expected)]);
  });

  it('does not count approvers it cannot size (groups, "*")', () => {
    const needsTwo = MINIMAL.replace('approvals: 0', 'approvals: 2');
    expect(parsePolicy(`${needsTwo}approvers: [S0APPROVERS]`, 'p.yml').roles[0]?.approvals).toBe(2);
    expect(parsePolicy(`${needsTwo}approvers: ["*"]`, 'p.yml').roles[0]?.approvals).toBe(2);
  });

  it('allows at most 100 roles', () => {
    const role = (i: number) =>
      `  - { id: r${i}, label: R${i}, grant: { roles: [developer] }, maxExpiry: 1d, approvals: 0 }`;
    const head = 'approvalChannel: C0123\nadmins: [U0123]\nroles:\n';
    const hundred = Array.from({ length: 100 }, (_, i) => role(i)).join('\n');
    expect(parsePolicy(head + hundred, 'p.yml').roles).toHaveLength(100);
    expect(problemsOf(`${head}${hundred}\n${role(100)}`)).toEqual(['roles: must have at most 100 entries']);
  });

  it('reports YAML syntax errors with line and column', () => {
    const problems = problemsOf('approvalChannel: C0123\nadmins: [U0123\nroles: []\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^line \d+, column \d+: \S/);
    expect(problemsOf('admins: [U1]\nadmins: [U2]\n')).toEqual(['line 2, column 1: Map keys must be unique']);
  });
});

describe('loadPolicy', () => {
  it('reads a file from disk', async () => {
    const path = join(dir, 'policy.yml');
    await writeFile(path, MINIMAL);
    expect((await loadPolicy(path)).roles[0]?.id).toBe('query');
  });

  it('says so when the file is missing', async () => {
    const path = join(dir, 'nope.yml');
    const error = await loadPolicy(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toBe(
      `Invalid policy file ${path}: file not found (set KEYHOUSE_POLICY, or copy policy.example.yml to start)`,
    );
  });

  it('names the file in validation errors', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"approvalChannel": "C0123", "admins": ["U0123"], "roles": [], "extra": 1}');
    await expect(loadPolicy(path)).rejects.toThrow(
      `Invalid policy file ${path}: roles: must not be empty; extra: unknown field (expected one of`,
    );
  });
});

describe('a grant scoped to services (product.md §16)', () => {
  const withGrant = (grant: string) =>
    MINIMAL.replace('grant: { roles: [query_endpoints] }', `grant: ${grant}`);

  it('reads services and access', () => {
    const doc = parsePolicy(
      withGrant('{ services: ["prod-*", analytics], access: query-endpoints }'),
      'p.yml',
    );
    expect(doc.roles[0]?.grant).toEqual({ services: ['prod-*', 'analytics'], access: 'query-endpoints' });
  });

  it('refuses services without access, access without services, an unknown access and a mixed grant', () => {
    expect(problemsOf(withGrant('{ services: [prod] }'))).toEqual([
      'roles[0].grant: services needs access: one of read, manage, query-endpoints',
    ]);
    expect(problemsOf(withGrant('{ access: read }'))).toEqual([
      'roles[0].grant: needs one of services, roles, roleNames or roleIds',
    ]);
    expect(problemsOf(withGrant('{ services: [prod], access: write }'))[0]).toMatch(
      /^roles\[0\]\.grant\.access: /,
    );
    expect(problemsOf(withGrant('{ services: [prod], access: read, roles: [admin] }'))).toEqual([
      'roles[0].grant: has services and roles: give exactly one of services, roles, roleNames or roleIds',
    ]);
    expect(problemsOf(withGrant('{ services: ["prod/eu"], access: read }'))[0]).toMatch(
      /is not a service name/,
    );
  });
});
