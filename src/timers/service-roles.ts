/**
 * Clean-up of the custom roles Keyhouse made for keys scoped to services (product.md §16): a role
 * no key has held for a day is deleted, once across replicas and restarts (a timer mark per role
 * and day it went unused; the scheduler audits the attempt and its outcome). Only roles with a
 * row in the store (or, after a crash, a role whose name's hash proves Keyhouse made it) are ever
 * looked at: roles Keyhouse did not make are never touched.
 *
 *   ready ── no key holds it (tick's key list) ──▶ unused since now
 *         ── a key holds it again, or a request touched it ──▶ in use (the day starts over)
 *         ── unused for a day ──▶ deleting ── a key holds it (read afresh) ──▶ ready
 *                                           └─ DELETE …/roles/{id} ──▶ row forgotten
 *   making, abandoned by a dead process ──▶ the role found by its name (ready, unused) or the row forgotten
 */
import { NotFoundError } from '../core/api-errors.js';
import { DAY_MS } from '../core/duration.js';
import type { ServiceRoleRecord } from '../core/model.js';
import { isServiceGrant } from '../core/policy-model.js';
import type { WorkflowContext } from '../workflow/context.js';
import {
  isOurRole,
  MAKING_ABANDONED_MS,
  recogniseServiceRole,
  roleNamed,
  rolesOf,
} from '../workflow/service-roles.js';
import type { LifecycleDeps } from './deps.js';
import { RULE } from './rule-ids.js';
import { ABANDONED_AFTER_MS, type DueWork, type TimerRule } from './scheduler.js';

/** How long a custom role stays unused before it is deleted. */
export const SERVICE_ROLE_UNUSED_MS = DAY_MS;

export function serviceRoleCleanupRule(deps: LifecycleDeps): TimerRule {
  const { ctx } = deps;
  return {
    id: RULE.serviceRoleCleanup,
    needsKeys: true,
    async due({ now, keys }) {
      if (!ctx.roles) return [];
      const rows = await ctx.store.listServiceRoles();
      // No role scoped to services and nothing made: not one ClickHouse read for this rule.
      if (rows.length === 0 && !ctx.policy.doc.roles.some((role) => isServiceGrant(role.grant))) return [];
      const held = new Set(keys.flatMap((key) => key.assignedRoles.map((r) => r.roleId)));
      const work: DueWork[] = [];
      for (const row of rows) {
        if (row.state === 'making') {
          if (row.updatedAt.getTime() <= now.getTime() - MAKING_ABANDONED_MS) work.push(abandoned(ctx, row));
          continue;
        }
        const used = row.clickhouseRoleId !== null && held.has(row.clickhouseRoleId);
        if (row.state === 'ready' && used) {
          if (row.unusedSince) await markUse(ctx, row, null, now);
          continue;
        }
        if (row.state === 'ready' && !row.unusedSince) {
          await markUse(ctx, row, now, now);
          continue;
        }
        if (row.unusedSince) work.push(removal(ctx, row, row.unusedSince));
      }
      await adoptOrphans(ctx, rows, now);
      return work;
    },
  };
}

/** Bookkeeping of the tick's own view (no ClickHouse write): when the role was last seen unused. */
async function markUse(ctx: WorkflowContext, row: ServiceRoleRecord, unusedSince: Date | null, now: Date) {
  await ctx.store.stepServiceRole({
    name: row.name,
    from: 'ready',
    to: 'ready',
    at: now,
    set: { unusedSince },
  });
}

function about(row: ServiceRoleRecord) {
  return {
    detail: { role: row.name, roleId: row.clickhouseRoleId, access: row.access, services: row.serviceIds },
  };
}

/** Deletes the role a day after it was last seen unused, unless a key holds it when asked afresh. */
function removal(ctx: WorkflowContext, row: ServiceRoleRecord, unusedSince: Date): DueWork {
  return {
    subject: row.name,
    threshold: unusedSince.toISOString(),
    dueAt: new Date(unusedSince.getTime() + SERVICE_ROLE_UNUSED_MS),
    writes: 1,
    // A delete may be done twice: a process that died in the middle leaves it to another.
    abandonedAfterMs: ABANDONED_AFTER_MS,
    about: about(row),
    run: async () => {
      const now = ctx.clock.now();
      const holder = `${ctx.replicas.instanceId}:${ctx.newId()}`;
      const taken = await ctx.store.stepServiceRole({
        name: row.name,
        from: row.state,
        to: 'deleting',
        at: now,
        set: { holder },
        // From `ready`, only while still unused for the whole day (a request may have touched it).
        ...(row.state === 'ready' ? { unusedBefore: new Date(now.getTime() - SERVICE_ROLE_UNUSED_MS) } : {}),
      });
      if (!taken) return { kept: 'in use again' };
      const id = taken.clickhouseRoleId;
      if (!id) {
        await ctx.store.dropServiceRole(row.name, 'deleting', holder);
        return { forgotten: 'never made' };
      }
      const api = rolesOf(ctx);
      try {
        let role: Awaited<ReturnType<typeof api.getRole>>;
        try {
          role = await api.getRole(id);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          await ctx.store.dropServiceRole(row.name, 'deleting', holder);
          return { forgotten: 'deleted in the console' };
        }
        // The id now names a role Keyhouse did not make (changed in the console): never touched.
        if (!isOurRole(role, taken)) {
          await ctx.store.dropServiceRole(row.name, 'deleting', holder);
          return { forgotten: 'no longer the role Keyhouse made' };
        }
        if (role.actors.some((actor) => actor.startsWith('apiKey/'))) {
          await ctx.store.stepServiceRole({
            name: row.name,
            from: 'deleting',
            to: 'ready',
            at: ctx.clock.now(),
            holder,
            set: { unusedSince: null },
          });
          return { kept: 'a key holds it' };
        }
        await api.deleteRole(id).catch((error: unknown) => {
          if (!(error instanceof NotFoundError)) throw error;
        });
      } catch (error) {
        // Nothing deleted: back to `ready`, so requests may use it again; the day starts over.
        await ctx.store
          .stepServiceRole({
            name: row.name,
            from: 'deleting',
            to: 'ready',
            at: ctx.clock.now(),
            holder,
            set: { unusedSince: null },
          })
          .catch(() => null);
        throw error;
      }
      await ctx.store.dropServiceRole(row.name, 'deleting', holder);
      return { deleted: id };
    },
  };
}

/** A `making` row a dead process left: the role it may have made is found by its name, or the row goes. */
function abandoned(ctx: WorkflowContext, row: ServiceRoleRecord): DueWork {
  return {
    subject: row.name,
    threshold: `making:${row.updatedAt.toISOString()}`,
    dueAt: new Date(row.updatedAt.getTime() + MAKING_ABANDONED_MS),
    about: about(row),
    run: async () => {
      const now = ctx.clock.now();
      const holder = `${ctx.replicas.instanceId}:${ctx.newId()}`;
      const claimed = await ctx.store.claimServiceRole({
        ...row,
        holder,
        at: now,
        abandonedBefore: new Date(now.getTime() - MAKING_ABANDONED_MS),
      });
      if (!claimed) return { kept: 'taken by a request' };
      const found = await roleNamed(rolesOf(ctx), row.name);
      if (found && isOurRole(found, row)) {
        // Unused from now: deleted a day later unless a key comes to hold it.
        await ctx.store.stepServiceRole({
          name: row.name,
          from: 'making',
          to: 'ready',
          at: now,
          holder,
          set: { clickhouseRoleId: found.id, unusedSince: now },
        });
        return { adopted: found.id };
      }
      await ctx.store.dropServiceRole(row.name, 'making', holder);
      return { forgotten: 'never made' };
    },
  };
}

/**
 * A role Keyhouse made whose row is gone (an ambiguous create that ClickHouse carried out after
 * all): recorded as unused from now, so it too is deleted a day later. Only a role whose name's
 * hash matches its policies is taken for Keyhouse's.
 */
async function adoptOrphans(ctx: WorkflowContext, rows: readonly ServiceRoleRecord[], now: Date) {
  const known = new Set(rows.map((row) => row.name));
  const roles = await rolesOf(ctx).listRoles();
  for (const role of roles) {
    if (known.has(role.name)) continue;
    const ours = recogniseServiceRole(role);
    if (!ours) continue;
    const holder = `${ctx.replicas.instanceId}:${ctx.newId()}`;
    const claimed = await ctx.store.claimServiceRole({
      name: role.name,
      ...ours,
      holder,
      at: now,
      abandonedBefore: new Date(0),
    });
    if (!claimed) continue;
    await ctx.store.stepServiceRole({
      name: role.name,
      from: 'making',
      to: 'ready',
      at: now,
      holder,
      set: { clickhouseRoleId: role.id, unusedSince: now },
    });
  }
}
