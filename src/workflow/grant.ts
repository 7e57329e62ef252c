import type { LegacyRole } from '../core/clickhouse.js';
import { Refused } from '../core/errors.js';
import type { PolicyRole } from '../core/policy-model.js';
import type { WorkflowContext } from './context.js';

/** The ClickHouse role fields a policy role grants; role names are looked up as ids. */
export async function grantFor(
  ctx: WorkflowContext,
  role: PolicyRole,
): Promise<{ roles: LegacyRole[] } | { assignedRoleIds: string[] }> {
  const grant = role.grant;
  if ('roles' in grant) return { roles: [...grant.roles] };
  if ('roleIds' in grant) return { assignedRoleIds: [...grant.roleIds] };
  const available = await ctx.keys.listRoles();
  const assignedRoleIds = grant.roleNames.map((name) => {
    const match = available.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!match) {
      throw new Refused({ code: 'policy_role_missing', clickhouseRole: name, roleLabel: role.label });
    }
    return match.id;
  });
  return { assignedRoleIds };
}
