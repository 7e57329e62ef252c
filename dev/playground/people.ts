/**
 * Who and what exists in the playground's workspace: the demo people, their user groups and the
 * channels. With `--policy FILE` the operator's own ids are mapped onto the same people, so their
 * policy can be tried without their workspace: each group it names is filled with the demo people
 * of the matching part (approvers, admins, requesters), and each channel it names is shown.
 */
import { abilitiesOf } from '../../src/policy/abilities.js';
import { explainText } from '../../src/policy/explain.js';
import { type PolicyDocument, PolicyLines } from '../../src/policy/index.js';

export interface Person {
  id: string;
  name: string;
  /** What this person may do under the policy (admin, approver, requester), shown in the picker. */
  part: string;
}

export interface Channel {
  id: string;
  name: string;
}

export interface PlaygroundPeople {
  people: Person[];
  usergroups: Record<string, string[]>;
  channels: Channel[];
  /** The first channel a person sees. */
  general: string;
  /** `npm run policy -- explain` for each person, by user id (product.md §15). */
  explain?: Record<string, string>;
}

export const DEMO = {
  alice: { id: 'U0ALICE', name: 'Alice Ahmed', part: 'requester' },
  bob: { id: 'U0BOB', name: 'Bob Baker', part: 'approver' },
  carol: { id: 'U0CAROL', name: 'Carol Chen', part: 'approver' },
  dana: { id: 'U0DANA', name: 'Dana Diaz', part: 'admin' },
  eve: { id: 'U0EVE', name: 'Eve Evans', part: 'not allowed to request' },
} as const satisfies Record<string, Person>;

const GENERAL: Channel = { id: 'C0GENERAL', name: 'general' };

const USER_ID = /^[UW][A-Z0-9]+$/;
const GROUP_ID = /^S[A-Z0-9]+$/;

/** The people, groups and channels for a policy (the demo policy, or an operator's). */
export function peopleFor(policy: PolicyDocument): PlaygroundPeople {
  const { alice, bob, carol, dana, eve } = DEMO;
  const people: Person[] = [alice, bob, carol, dana, eve].map((p) => ({ ...p }));
  const usergroups: Record<string, string[]> = {};
  const fill = (ids: readonly string[], members: string[]) => {
    for (const id of ids) {
      if (GROUP_ID.test(id)) usergroups[id] = [...new Set([...(usergroups[id] ?? []), ...members])];
    }
  };
  const roleRequesters = policy.roles.flatMap((role) => role.requesters ?? []);
  fill([...policy.requesters, ...roleRequesters], [alice.id, bob.id, carol.id, dana.id]);
  fill(policy.approvers, [bob.id, carol.id]);
  fill(policy.admins, [dana.id]);
  // Alice is on call: her requests of a role with `autoApprove` are approved at once.
  fill(
    policy.roles.flatMap((role) => role.autoApprove?.whenIn ?? []),
    [alice.id],
  );
  // Any user id the policy names is a person too, so an operator's own ids can be picked.
  const named = [...policy.requesters, ...roleRequesters, ...policy.approvers, ...policy.admins];
  for (const id of new Set(named)) {
    if (USER_ID.test(id) && !people.some((p) => p.id === id)) {
      people.push({ id, name: id, part: 'named in the policy' });
    }
  }

  // What each person is under this policy, as the picker says it.
  const member = (list: readonly string[], id: string) =>
    list.includes('*') || list.includes(id) || list.some((entry) => usergroups[entry]?.includes(id));
  for (const person of people) {
    const parts = [
      member(policy.admins, person.id) ? 'admin' : null,
      member(policy.approvers, person.id) ? 'approver' : null,
      policy.roles.some((role) => member(role.requesters ?? policy.requesters, person.id))
        ? 'requester'
        : null,
    ].filter((part) => part !== null);
    person.part = parts.length === 0 ? 'not allowed to request' : parts.join(', ');
  }

  const channels: Channel[] = [GENERAL];
  const addChannel = (id: string | null | undefined, name: string) => {
    if (id && !channels.some((c) => c.id === id)) channels.push({ id, name });
  };
  addChannel(
    policy.approvalChannel,
    policy.approvalChannel === 'C0APPROVALS' ? 'key-approvals' : 'approvals',
  );
  for (const role of policy.roles) addChannel(role.approvalChannel, `approvals-${role.id}`);
  addChannel(policy.security.channel, 'security');
  return { people, usergroups, channels, general: GENERAL.id };
}

/** Each person's `policy explain`, with the user groups the playground put them in. */
export async function explainEach(
  people: PlaygroundPeople,
  policy: PolicyDocument,
  policyText: string,
  file: string,
): Promise<Record<string, string>> {
  const lines = PolicyLines.of(policyText, file.toLowerCase().endsWith('.json'));
  const out: Record<string, string> = {};
  for (const person of people.people) {
    const groups = Object.entries(people.usergroups)
      .filter(([, members]) => members.includes(person.id))
      .map(([id]) => id);
    out[person.id] = explainText(file, await abilitiesOf(policy, lines, person.id, groups));
  }
  return out;
}
