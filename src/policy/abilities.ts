import type { PolicyDocument, PolicyRole } from '../core/policy-model.js';
import type { PolicyLines } from './lines.js';
import { Policy } from './policy.js';
import { isGroupId } from './schema.js';

/**
 * What one person may do under a policy, with the policy lines that say so: the answer of
 * `npm run policy -- explain` and what `npm run policy -- test` checks its cases against. It asks
 * the very `Policy` the bot asks (the same membership rules), with the person's user groups given
 * instead of read from Slack.
 */

/** Where in the file an answer comes from: `roles[0].requesters[1]`, line 12 (null: a default). */
export interface Because {
  path: readonly (string | number)[];
  line: number | null;
  /** The list entry that matched (`*`, the user id, a group id), when a list decided. */
  via?: string;
}

export interface RoleAbility {
  role: PolicyRole;
  index: number;
  /** Where the role is written. */
  line: number | null;
  request: boolean;
  /** Why they may (the matching entry) or may not (the list that leaves them out). */
  requestBecause: Because;
  /** The on-call group that approves them at once, when the role has `autoApprove` and they are in one. */
  onCall: { group: string; because: Because } | null;
  /** Whether they may break glass for this role (it has `breakGlass` and they may request it). */
  breakGlass: { because: Because } | null;
}

export interface PersonAbilities {
  userId: string;
  groups: readonly string[];
  roles: RoleAbility[];
  approve: { may: boolean; because: Because; selfApproval: boolean };
  admin: { may: boolean; because: Because };
  listAll: boolean;
}

/** What `userId`, a member of exactly `groups`, may do under `doc`. */
export async function abilitiesOf(
  doc: PolicyDocument,
  lines: PolicyLines | null,
  userId: string,
  groups: readonly string[],
): Promise<PersonAbilities> {
  const inGroups = new Set(groups);
  const policy = new Policy(doc, {
    resolveGroup: async (groupId) => (inGroups.has(groupId) ? [userId] : []),
    groupCacheTtlMs: 0,
  });
  const at = (path: readonly (string | number)[], list?: readonly string[]): Because => {
    const index = list ? list.findIndex((m) => m === '*' || m === userId || inGroups.has(m)) : -1;
    const entry = index >= 0 ? list?.[index] : undefined;
    const where = entry !== undefined && lines?.has([...path, index]) ? [...path, index] : path;
    // A list the file does not write is its default: no line says so.
    const line = lines?.has(where) ? lines.line(where) : null;
    return { path: where, line, ...(entry !== undefined ? { via: entry } : {}) };
  };

  const roles: RoleAbility[] = [];
  for (const [index, role] of doc.roles.entries()) {
    const own = role.requesters !== undefined;
    const listPath = own ? ['roles', index, 'requesters'] : ['requesters'];
    const request = await policy.canRequest(userId, role.id);
    const requestBecause = at(listPath, own ? role.requesters : doc.requesters);
    const group = request ? await policy.onCallGroup(userId, role.id) : null;
    const whenIn = role.autoApprove?.whenIn ?? [];
    roles.push({
      role,
      index,
      line: lines?.line(['roles', index]) ?? null,
      request,
      requestBecause,
      onCall: group ? { group, because: at(['roles', index, 'autoApprove', 'whenIn'], whenIn) } : null,
      breakGlass: request && role.breakGlass ? { because: at(['roles', index, 'breakGlass']) } : null,
    });
  }
  const approve = await policy.isApprover(userId);
  const admin = await policy.isAdmin(userId);
  return {
    userId,
    groups,
    roles,
    approve: { may: approve, because: at(['approvers'], doc.approvers), selfApproval: doc.selfApproval },
    admin: { may: admin, because: at(['admins'], doc.admins) },
    listAll: approve || admin,
  };
}

/** `S…` ids only, in the order given, each once. */
export function groupList(text: string): { groups: string[] } | { error: string } {
  const groups = [...new Set(text.split(/[\s,]+/).filter((g) => g !== ''))];
  const bad = groups.filter((g) => !isGroupId(g));
  return bad.length > 0 ? { error: `not user-group IDs (S…): ${bad.join(', ')}` } : { groups };
}
