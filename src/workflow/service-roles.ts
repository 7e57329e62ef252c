/**
 * The custom roles behind keys scoped to services (product.md §16). A key of a role whose grant
 * names services gets the custom role Keyhouse finds or makes for exactly the chosen set and
 * access (`keyhouse:<role>:<short hash>`, policies on `instance/<id>`), plus, for Query API
 * Endpoints, the organization role the console's tip names (service-access.ts, the one table).
 *
 * Finding or making goes through the store: the role's row is claimed by insert-if-absent before
 * ClickHouse is asked, so two requests for one set, on any replicas, make one role; the other is
 * told to click again in a moment. The name itself heals a crash between ClickHouse making the
 * role and the store recording it: it is looked up before anything is made.
 */
import { AmbiguousRoleCreateError } from '../core/api-errors.js';
import type { Role, Service } from '../core/clickhouse.js';
import { KeyhouseError, Refused } from '../core/errors.js';
import type { ServiceRoleRecord } from '../core/model.js';
import { isServiceGrant, type PolicyRole, type ServiceGrant } from '../core/policy-model.js';
import type { RoleApi } from '../core/ports.js';
import { SERVICE_ACCESS_TABLE, servicePolicies } from '../core/service-access.js';
import {
  type ChosenService,
  KEYHOUSE_ROLE_PREFIX,
  matchServices,
  serviceRoleName,
  serviceSet,
  unmatchedPatterns,
} from '../core/service-scope.js';
import { WouldWait } from '../util/no-wait.js';
import type { WorkflowContext } from './context.js';

/**
 * A `making` row untouched this long was left by a process that died making the role: far longer
 * than one role creation takes (a lookup and a POST within the budget's wait).
 */
export const MAKING_ABANDONED_MS = 5 * 60_000;

/** The ClickHouse role ids a key of `role` for `services` is created with. */
export async function serviceGrantFor(
  ctx: WorkflowContext,
  role: PolicyRole,
  grant: ServiceGrant,
  services: readonly ChosenService[] | null,
  actorId: string,
): Promise<{ assignedRoleIds: string[] }> {
  const api = rolesOf(ctx);
  if (!services || services.length === 0) {
    throw new KeyhouseError('invalid_input', `request of ${role.id} names no services`);
  }
  const roleId = await findOrMakeServiceRole(ctx, api, role.id, grant, serviceSet(services), actorId);
  const organizationRole = SERVICE_ACCESS_TABLE[grant.access].organizationRole;
  if (!organizationRole) return { assignedRoleIds: [roleId] };
  return { assignedRoleIds: [roleId, await systemRoleId(api, organizationRole.name, role.label)] };
}

export function rolesOf(ctx: WorkflowContext): RoleApi {
  if (!ctx.roles) throw new KeyhouseError('internal', 'no ClickHouse role API was given to the workflow');
  return ctx.roles;
}

/** A system role by name, matched case-insensitively (the exact strings are UNCERTAIN). */
async function systemRoleId(api: RoleApi, name: string, roleLabel: string): Promise<string> {
  const match = (await api.listRoles()).find(
    (r) => r.type === 'system' && r.name.toLowerCase() === name.toLowerCase(),
  );
  if (!match) throw new Refused({ code: 'policy_role_missing', clickhouseRole: name, roleLabel });
  return match.id;
}

/**
 * The id of the custom role for `serviceIds` and `grant.access`: the one recorded (marked in use
 * again, so the clean-up starts its day over), else made now under the store's claim.
 */
export async function findOrMakeServiceRole(
  ctx: WorkflowContext,
  api: RoleApi,
  policyRoleId: string,
  grant: ServiceGrant,
  serviceIds: string[],
  actorId: string,
): Promise<string> {
  const name = serviceRoleName(policyRoleId, grant.access, serviceIds);
  // Twice at most: a row that changed under us (made ready, or taken by the clean-up) is read again.
  for (let round = 0; round < 2; round += 1) {
    const now = ctx.clock.now();
    const row = await ctx.store.getServiceRole(name);
    if (row?.state === 'ready' && row.clickhouseRoleId) {
      const touched = await ctx.store.stepServiceRole({
        name,
        from: 'ready',
        to: 'ready',
        at: now,
        set: { unusedSince: null },
      });
      if (touched?.clickhouseRoleId) return touched.clickhouseRoleId;
      continue;
    }
    if (row?.state === 'deleting') throw new Refused({ code: 'service_role_busy' });
    const holder = ctx.newId();
    const claimed = await ctx.store.claimServiceRole({
      name,
      policyRoleId,
      access: grant.access,
      serviceIds,
      holder,
      at: now,
      abandonedBefore: new Date(now.getTime() - MAKING_ABANDONED_MS),
    });
    // Another request is making it right now: theirs is the one role.
    if (!claimed) throw new Refused({ code: 'service_role_busy' });
    const id = await makeRole(ctx, api, claimed, actorId);
    const ready = await ctx.store.stepServiceRole({
      name,
      from: 'making',
      to: 'ready',
      at: ctx.clock.now(),
      holder,
      set: { clickhouseRoleId: id, unusedSince: null },
    });
    if (ready) return id;
  }
  throw new Refused({ code: 'service_role_busy' });
}

/** The role as Keyhouse would make it: its name, no actors, one ALLOW policy on exactly the set. */
function wanted(row: ServiceRoleRecord) {
  return { name: row.name, actors: [], policies: servicePolicies(row.access, row.serviceIds) };
}

/** Whether `role` is the one Keyhouse makes for `row` (so it is Keyhouse's to use and delete). */
export function isOurRole(
  role: Role,
  row: Pick<ServiceRoleRecord, 'name' | 'access' | 'serviceIds'>,
): boolean {
  if (role.type !== 'custom' || role.name !== row.name || !role.name.startsWith(KEYHOUSE_ROLE_PREFIX))
    return false;
  const [policy] = servicePolicies(row.access, row.serviceIds);
  const allowed = role.policies.filter((p) => p.allowDeny === 'ALLOW');
  return (
    role.policies.length === 1 &&
    allowed.length === 1 &&
    same(allowed[0]!.permissions, policy!.permissions) &&
    same(allowed[0]!.resources, policy!.resources)
  );
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

/** The role by its name, asked afresh; null when there is none. */
export async function roleNamed(api: RoleApi, name: string): Promise<Role | null> {
  return (await api.listRoles({ fresh: true })).find((r) => r.name === name) ?? null;
}

/**
 * Makes the role the claimed row names, unless a crash already made it (found by its name). A
 * role of that name that is not what Keyhouse makes (made by hand) is never adopted.
 */
async function makeRole(
  ctx: WorkflowContext,
  api: RoleApi,
  row: ServiceRoleRecord,
  actorId: string,
): Promise<string> {
  const release = () => ctx.store.dropServiceRole(row.name, 'making', row.holder).catch(() => false);
  try {
    const found = await roleNamed(api, row.name);
    if (found) {
      if (!isOurRole(found, row)) throw new Refused({ code: 'service_role_conflict', roleName: row.name });
      return found.id;
    }
    const detail = { role: row.name, access: row.access, services: row.serviceIds };
    await ctx.audit.before({ actorId, action: 'service_role.create', outcome: 'attempt', detail });
    let made: Role;
    try {
      made = await api.createRole(wanted(row));
    } catch (error) {
      if (!(error instanceof AmbiguousRoleCreateError)) throw error;
      const after = await roleNamed(api, row.name);
      if (!after || !isOurRole(after, row)) throw error;
      made = after;
    }
    await ctx.audit.after({
      actorId,
      action: 'service_role.create',
      outcome: 'ok',
      detail: { ...detail, roleId: made.id },
    });
    return made.id;
  } catch (error) {
    // Nothing was made (or what was made is not ours): the claim goes, so the next click tries again.
    await release();
    throw error;
  }
}

/** What the request modal offers for `role`: the services its patterns match now; null for a role not scoped to services. */
export async function serviceOffer(
  ctx: WorkflowContext,
  role: PolicyRole,
): Promise<{ access: ServiceGrant['access']; services: Service[] } | 'unavailable' | null> {
  if (!isServiceGrant(role.grant)) return null;
  try {
    // Cached by the client like the key list (`serviceListTtlMs`), so opening the modal costs little.
    const services = await rolesOf(ctx).listServices();
    return { access: role.grant.access, services: matchServices(role.grant.services, services) };
  } catch (error) {
    // Before an acknowledgement: the modal opens on "checking…" and is drawn once the list is read.
    if (error instanceof WouldWait) throw error;
    ctx.logger.warn({ err: error, role: role.id }, 'could not list services for the request modal');
    return 'unavailable';
  }
}

/** The console's services now, for showing chosen ones (renamed or deleted); null when unreadable. */
export async function currentServices(ctx: WorkflowContext): Promise<Service[] | null> {
  if (!ctx.roles) return null;
  try {
    return await ctx.roles.listServices();
  } catch (error) {
    // Before an acknowledgement a list not in memory is not waited for: the names as chosen show.
    if (!(error instanceof WouldWait)) ctx.logger.warn({ err: error }, 'could not list services');
    return null;
  }
}

/**
 * The policy's service patterns that match no service now, by policy role: reported at start as a
 * warning (services come and go, so it is no error).
 */
export async function unmatchedServicePatterns(
  ctx: WorkflowContext,
): Promise<{ roleId: string; patterns: string[] }[]> {
  const scoped = ctx.policy.doc.roles.filter((role) => isServiceGrant(role.grant));
  if (scoped.length === 0) return [];
  const services = await rolesOf(ctx).listServices({ fresh: true });
  const unmatched: { roleId: string; patterns: string[] }[] = [];
  for (const role of scoped) {
    if (!isServiceGrant(role.grant)) continue;
    const patterns = unmatchedPatterns(role.grant.services, services);
    if (patterns.length > 0) unmatched.push({ roleId: role.id, patterns });
  }
  return unmatched;
}

/**
 * What a role named like Keyhouse's is for, when its name's hash matches its policies exactly
 * (then Keyhouse made it: the hash covers the access and the services); null for any other role.
 */
export function recogniseServiceRole(
  role: Role,
): { policyRoleId: string; access: ServiceGrant['access']; serviceIds: string[] } | null {
  if (role.type !== 'custom' || !role.name.startsWith(KEYHOUSE_ROLE_PREFIX)) return null;
  const policyRoleId = role.name.slice(KEYHOUSE_ROLE_PREFIX.length, role.name.lastIndexOf(':'));
  const [policy] = role.policies;
  if (!policy || role.policies.length !== 1 || policy.allowDeny !== 'ALLOW') return null;
  const serviceIds = policy.resources
    .filter((r) => r.startsWith('instance/'))
    .map((r) => r.slice('instance/'.length));
  if (serviceIds.length !== policy.resources.length) return null;
  for (const access of Object.keys(SERVICE_ACCESS_TABLE) as ServiceGrant['access'][]) {
    const candidate = { name: role.name, access, serviceIds: serviceSet(serviceIds.map((id) => ({ id }))) };
    if (
      serviceRoleName(policyRoleId, access, candidate.serviceIds) === role.name &&
      isOurRole(role, candidate)
    ) {
      return { policyRoleId, access, serviceIds: candidate.serviceIds };
    }
  }
  return null;
}
