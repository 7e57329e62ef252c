import type { LegacyRole } from '../core/clickhouse.js';
import { Refused } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import { isServiceGrant, type PolicyRole } from '../core/policy-model.js';
import type { WorkflowContext } from './context.js';
import { serviceGrantFor } from './service-roles.js';

/**
 * The ClickHouse role fields a policy role grants; role names are looked up as ids, and a grant
 * scoped to services finds or makes the custom role for the services `request` chose.
 */
export async function grantFor(
  ctx: WorkflowContext,
  role: PolicyRole,
  request: Pick<KeyRequest, 'services' | 'requesterId'>,
): Promise<{ roles: LegacyRole[] } | { assignedRoleIds: string[] }> {
  const grant = role.grant;
  if ('roles' in grant) return { roles: [...grant.roles] };
  if ('roleIds' in grant) return { assignedRoleIds: [...grant.roleIds] };
  if (isServiceGrant(grant)) return serviceGrantFor(ctx, role, grant, request.services, request.requesterId);
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
