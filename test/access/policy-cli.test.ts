import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPolicyCli } from '../../src/policy/cli.js';

const POLICY = `approvalChannel: C0APPROVALS
requesters: [S0ENGINEERS]
approvers: [S0APPROVERS, U0CAROL]
admins: [U0DANA]
roles:
  - id: developer
    label: Developer
    grant: { roles: [developer] }
    maxExpiry: 90d
    approvals: 1
    autoApprove: { whenIn: [S0ONCALL], maxExpiry: 12h }
  - id: admin
    label: Admin
    grant: { roles: [admin] }
    maxExpiry: 7d
    approvals: 2
    requesters: [U0DANA, S0SRE]
    breakGlass: { maxExpiry: 4h, reviewWithin: 24h }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyhouse-policy-cli-'));
  await writeFile(join(dir, 'policy.yml'), POLICY);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPolicyCli(argv, { env, cwd: dir, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('policy check', () => {
  it('passes a good file, found through KEYHOUSE_POLICY as the bot finds it', async () => {
    expect(await cli(['check'], { KEYHOUSE_POLICY: 'policy.yml' })).toEqual({
      code: 0,
      out: 'ok policy.yml: 2 roles',
      err: '',
    });
  });

  it('fails a broken file with every problem, each with its line and path', async () => {
    await writeFile(
      join(dir, 'broken.yml'),
      `approvalChannel: C0APPROVALS
admins: ["*"]
approvers: [U0CAROL]
roles:
  - id: developer
    label: Developer
    grant: { roles: [developer] }
    maxExpiry: 7d
    approvals: 1
    autoApprove: { whenIn: [U0BOB], maxExpiry: 30d }
    breakGlass: { maxExpiry: 4h }
`,
    );
    const result = await cli(['check', 'broken.yml']);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err.split('\n')).toEqual([
      expect.stringMatching(/broken\.yml:2: admins\[0\]: "\*" is not allowed for admins/),
      expect.stringMatching(
        /broken\.yml:10: roles\[0\]\.autoApprove\.whenIn\[0\]: "U0BOB" is not a user-group ID/,
      ),
      expect.stringMatching(/broken\.yml:11: roles\[0\]\.breakGlass\.reviewWithin: is required/),
      expect.stringMatching(
        /broken\.yml:10: roles\[0\]\.autoApprove\.maxExpiry: is longer than the role's maxExpiry \(7d\)/,
      ),
      expect.stringMatching(/4 problems in .*broken\.yml$/),
    ]);
  });

  it('names a missing file and a syntax error with its line', async () => {
    const missing = await cli(['check', 'nope.yml']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.yml: file not found/);
    await writeFile(join(dir, 'syntax.yml'), 'approvalChannel: C0A\nroles: [\n');
    const syntax = await cli(['check', 'syntax.yml']);
    expect(syntax.code).toBe(1);
    expect(syntax.err).toMatch(/syntax\.yml:\d+: line \d+, column \d+: /);
  });

  it('answers usage mistakes with exit 2', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['frobnicate'])).err).toMatch(/unknown command "frobnicate"\nusage:/);
    expect((await cli(['explain', '--policy', 'policy.yml'])).err).toMatch(/explain needs --user/);
    expect(
      (await cli(['explain', '--user', 'U0BOB', '--groups', 'ENG', '--policy', 'policy.yml'])).code,
    ).toBe(2);
  });
});

describe('policy explain', () => {
  it('explains a user-group member: the roles, on call, break glass, and the lines that say so', async () => {
    const result = await cli([
      'explain',
      '--user',
      'U0BOB',
      '--groups',
      'S0ENGINEERS,S0ONCALL,S0SRE',
      '--policy',
      'policy.yml',
    ]);
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        'U0BOB (in S0ENGINEERS, S0ONCALL, S0SRE), under policy.yml:',
        '',
        'May request:',
        '  - developer (Developer): 1 approval, up to 90 days — S0ENGINEERS of requesters[0], line 2; the role: roles[0], line 6',
        '      on call: approved at once, up to 12 hours, as a member of S0ONCALL (roles[0].autoApprove.whenIn[0], line 11)',
        '  - admin (Admin): 2 approvals, up to 7 days — S0SRE of roles[1].requesters[1], line 17; the role: roles[1], line 12',
        '      break glass: may approve their own request, up to 4 hours; an approver reviews it within 1 day (roles[1].breakGlass, line 18)',
        '',
        'May approve and deny requests: no (not in approvers, line 3)',
        'May manage: their own keys only (not in admins, line 4)',
      ].join('\n'),
    );
  });

  it("explains a person named in a role's own requester list, and an approver", async () => {
    const dana = await cli(['explain', '--user', 'U0DANA', '--policy', 'policy.yml']);
    expect(dana.out).toContain(
      '  - admin (Admin): 2 approvals, up to 7 days — U0DANA of roles[1].requesters[0], line 17',
    );
    expect(dana.out).toContain('  - developer (Developer): not in requesters, line 2');
    expect(dana.out).toContain('May manage: every key in the organization');
    expect(dana.out).toContain('as U0DANA of admins[0], line 4');

    const carol = await cli([
      'explain',
      '--user',
      'U0CAROL',
      '--groups',
      'S0ENGINEERS',
      '--policy',
      'policy.yml',
    ]);
    expect(carol.out).toContain(
      '      on call: not now (in none of S0ONCALL); approved at once only while in one',
    );
    expect(carol.out).toContain(
      'May approve and deny requests: yes, as U0CAROL of approvers[1], line 3, never their own (selfApproval: false)',
    );
    expect(carol.out).toContain('may list all keys as an approver');
  });
});

describe('policy test', () => {
  it('runs the cases and prints N passed, M failed', async () => {
    await writeFile(
      join(dir, 'cases.yml'),
      `policy: policy.yml
cases:
  - name: the on-call engineer gets developer keys at once
    user: U0BOB
    groups: [S0ENGINEERS, S0ONCALL]
    can: [request developer, on-call developer]
    cannot: [request admin, break-glass admin, approve, manage all]
  - name: an SRE may break glass for admin
    user: U0ERIN
    groups: [S0SRE]
    can: [request admin, break-glass admin]
    cannot: [request developer]
  - name: Dana is the admin
    user: U0DANA
    can: [manage all, list all, request admin]
`,
    );
    expect(await cli(['test', 'cases.yml'])).toEqual({
      code: 0,
      out: [
        'ok   the on-call engineer gets developer keys at once',
        'ok   an SRE may break glass for admin',
        'ok   Dana is the admin',
        '3 passed, 0 failed',
      ].join('\n'),
      err: '',
    });
  });

  it('fails with exit 1, saying what differed, and counts a typo as a failure', async () => {
    await writeFile(
      join(dir, 'failing.yml'),
      `cases:
  - name: an engineer off call is not approved at once
    user: U0BOB
    groups: [S0ENGINEERS]
    can: [on-call developer]
  - name: a typo
    user: U0BOB
    cannot: [request developr, fly]
  - user: U0CAROL
    can: [approve]
`,
    );
    const result = await cli(['test', 'failing.yml', '--policy', 'policy.yml']);
    expect(result.code).toBe(1);
    expect(result.out.split('\n')).toEqual([
      'FAIL an engineer off call is not approved at once',
      '       expected can on-call developer, but cannot',
      'FAIL a typo',
      '       request developr: the policy has no role "developr" (roles: developer, admin)',
      expect.stringMatching(/^ {7}fly: unknown ability/),
      'ok   case 3 (U0CAROL)',
      '1 passed, 2 failed',
    ]);
  });

  it('refuses a malformed cases file with its path, exit 2', async () => {
    await writeFile(join(dir, 'malformed.yml'), 'cases:\n  - user: BOB\n    can: approve\n');
    const result = await cli(['test', 'malformed.yml', '--policy', 'policy.yml']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/malformed\.yml: cases\[0\]\.user: "BOB" is not a user ID/);
    expect(result.err).toMatch(/malformed\.yml: cases\[0\]\.can: /);
  });

  it('fails when the policy under test does not load', async () => {
    const result = await cli(['test', 'cases.yml', '--policy', 'nope.yml']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/nope\.yml: file not found/);
  });
});
