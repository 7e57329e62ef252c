import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { explainEach, peopleFor } from '../../dev/playground/people.js';
import { DEMO_POLICY } from '../../dev/playground/start.js';
import { loadPolicy } from '../../src/policy/index.js';
import { repoRoot } from '../support/requirements.js';

describe('the playground workspace for a policy', () => {
  it('the demo policy: a requester, two approvers through a group, an admin, and someone not allowed', async () => {
    const workspace = peopleFor(await loadPolicy(DEMO_POLICY));
    expect(workspace.people.map((p) => [p.name, p.part])).toEqual([
      ['Alice Ahmed', 'requester'],
      ['Bob Baker', 'approver, requester'],
      ['Carol Chen', 'approver, requester'],
      ['Dana Diaz', 'admin, requester'],
      ['Eve Evans', 'not allowed to request'],
    ]);
    expect(workspace.usergroups.S0APPROVERS).toEqual(['U0BOB', 'U0CAROL']);
    expect(workspace.channels.map((c) => `${c.id} #${c.name}`)).toEqual([
      'C0GENERAL #general',
      'C0APPROVALS #key-approvals',
      'C0SECURITY #security',
    ]);
  });

  it("an operator's policy: its groups hold the demo people, its user ids and channels are shown", async () => {
    const workspace = peopleFor(await loadPolicy(`${repoRoot}/policy.example.yml`));
    expect(workspace.usergroups.S0123KEYAPPROVERS).toEqual(['U0BOB', 'U0CAROL']);
    expect(workspace.usergroups.S0123PLATFORMTEAM).toEqual(['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DANA']);
    expect(workspace.people.find((p) => p.id === 'U0123ADMIN')?.part).toMatch(/admin/);
    // requesters "*" lets everyone ask, Eve included.
    expect(workspace.people.find((p) => p.id === 'U0EVE')?.part).toBe('requester');
    expect(workspace.channels.map((c) => c.id)).toEqual([
      'C0GENERAL',
      'C0123APPROVALS',
      'C0123PLATFORM',
      'C0123SECURITY',
    ]);
  });

  it('the demo policy has an on-call group and a break-glass role, and explains each person', async () => {
    const policy = await loadPolicy(DEMO_POLICY);
    const workspace = peopleFor(policy);
    expect(workspace.usergroups.S0ONCALL).toEqual(['U0ALICE']);
    expect(policy.roles.find((r) => r.breakGlass)?.id).toBe('admin');
    const explain = await explainEach(
      workspace,
      policy,
      await readFile(DEMO_POLICY, 'utf8'),
      'demo-policy.yml',
    );
    expect(explain.U0ALICE).toMatch(/^U0ALICE \(in S0ENGINEERS, S0ONCALL\), under demo-policy\.yml:/);
    expect(explain.U0ALICE).toContain('on call: approved at once, up to 12 hours, as a member of S0ONCALL');
    expect(explain.U0ALICE).toContain('break glass: may approve their own request, up to 4 hours');
    expect(explain.U0BOB).toContain('May approve and deny requests: yes, as S0APPROVERS of approvers');
    expect(explain.U0EVE).toContain('May request: nothing');
  });
});
