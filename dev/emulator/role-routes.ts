import { z } from 'zod';
import { parseBody, type RouteContext, type RouteOutcome, recordAssignmentChanges } from './route-support.js';
import type { NewRole, RolePatch } from './state.js';

/**
 * The role management and service routes (spec tags "Role Management" and "Service"). Bodies are
 * checked for shape here (`RoleCreateRequest`, `RoleUpdateRequest`); what the names inside mean
 * (resources, permissions, actors, a system role) is checked by the state.
 */

const policy = z.object({
  allowDeny: z.enum(['ALLOW', 'DENY']),
  permissions: z.array(z.string()).min(1, 'a policy needs at least one permission'),
  resources: z.array(z.string()).min(1, 'a policy needs at least one resource'),
  tags: z
    .object({
      grants: z.array(z.string()).optional(),
      roleV2: z.enum(['sql-console-readonly', 'sql-console-admin']).optional(),
    })
    .optional(),
});
const roleName = z.string().trim().min(1, 'name must not be empty');

/** The spec requires all three fields on create. */
const createRoleBody = z.object({
  name: roleName,
  actors: z.array(z.string()),
  policies: z.array(policy),
});

/** Spec: "All fields are optional - only provided fields will be updated." */
const updateRoleBody = z.object({
  name: roleName.optional(),
  actors: z.array(z.string()).optional(),
  policies: z.array(policy).optional(),
});

export function createRole(ctx: RouteContext): RouteOutcome {
  const input: NewRole = parseBody(createRoleBody, ctx.body);
  const before = ctx.state.listKeys();
  const role = ctx.state.createRole(input);
  recordAssignmentChanges(ctx, before);
  return { result: role };
}

export function updateRole(ctx: RouteContext): RouteOutcome {
  const roleId = ctx.params.roleId!;
  ctx.state.getRole(roleId); // 404 before 400: a missing role is the more useful answer
  const input: RolePatch = parseBody(updateRoleBody, ctx.body);
  const before = ctx.state.listKeys();
  const role = ctx.state.updateRole(roleId, input);
  recordAssignmentChanges(ctx, before);
  return { result: role };
}

export function deleteRole({ state, params }: RouteContext): RouteOutcome {
  state.deleteRole(params.roleId!);
  return {};
}

/**
 * `GET …/services` (instanceGetList). The emulator's services carry no resource tags, so a `filter`
 * (which only filters by tags) matches none of them.
 */
export function listServices({ state, query }: RouteContext): RouteOutcome {
  return { result: query?.has('filter') ? [] : state.listServices() };
}

export function getService({ state, params }: RouteContext): RouteOutcome {
  return { result: state.getService(params.serviceId!) };
}
