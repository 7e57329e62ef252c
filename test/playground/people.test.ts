import { describe, expect, it } from 'vitest';
import { peopleFor } from '../../dev/playground/people.js';
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
});
