import { NotFoundError } from '../core/api-errors.js';
import type { ApiKey } from '../core/clickhouse.js';
import type { KeyOwner } from '../core/model.js';
import type { Done } from '../core/outcomes.js';
import type { PolicyRole } from '../core/policy-model.js';
import { isServiceGrant } from '../core/policy-model.js';
import type { KeyEntry, KeyServices, ListScope } from '../core/ports.js';
import type { WorkflowContext } from './context.js';
import type { KeyListSources, KeyLists } from './key-lists.js';
import { currentServices } from './service-roles.js';

const byName = new Intl.Collator('en');

/** An ownership row younger than this is kept even when the (cached) key list lacks its key. */
const OWNERSHIP_GRACE_MS = 60_000;

/**
 * The policy role a key carries, recognised from what ClickHouse reports (assigned role ids/names,
 * else legacy roles); null for a key whose roles match no policy role. A key made with legacy roles
 * reads back with their system roles in `assignedRoles` too (clickhouse-cloud-api.md §8.7), so a
 * legacy grant is matched on `roles` whatever `assignedRoles` holds, after every assigned-role grant.
 */
export function policyRoleOf(roles: readonly PolicyRole[], key: ApiKey): PolicyRole | null {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x) => b.some((y) => y.toLowerCase() === x.toLowerCase()));
  const legacy = roles.find(({ grant }) => 'roles' in grant && same(grant.roles, key.roles));
  for (const role of roles) {
    const { grant } = role;
    if (
      'roleIds' in grant &&
      same(
        grant.roleIds,
        key.assignedRoles.map((r) => r.roleId),
      )
    )
      return role;
    if (
      'roleNames' in grant &&
      same(
        grant.roleNames,
        key.assignedRoles.map((r) => r.roleName),
      )
    )
      return role;
  }
  return legacy ?? null;
}

/** The label of the role the key was approved under, else the policy role it carries, else ClickHouse's role names. */
export function roleLabel(ctx: WorkflowContext, key: ApiKey, owner: KeyOwner | undefined): string {
  const approved = approvedRole(ctx, owner ?? null);
  if (approved) return approved.label;
  const role = policyRoleOf(ctx.policy.doc.roles, key);
  if (role) return role.label;
  const names = key.assignedRoles.length > 0 ? key.assignedRoles.map((r) => r.roleName) : key.roles;
  return names.length > 0 ? names.join(', ') : 'no role';
}

/**
 * Every key in the organization, joined with who owns it, as `viewerId` may act on it. Ownership
 * rows whose key is gone (deleted in the console) are cleaned up on the way.
 */
export async function keyEntries(
  ctx: WorkflowContext,
  viewerId: string,
  scope: ListScope = 'all',
): Promise<KeyEntry[]> {
  return entriesOf(ctx, viewerId, scope, await listSources(ctx, viewerId, scope), ctx.clock.now());
}

/**
 * `keyEntries` as a viewer's list shows them: the list made last time when it was made from the
 * very same sources and no key has expired since (key-lists.ts), else a new one, kept.
 */
export async function listedKeyEntries(
  ctx: WorkflowContext,
  lists: KeyLists,
  viewerId: string,
  scope: ListScope,
): Promise<KeyEntry[]> {
  const sources = await listSources(ctx, viewerId, scope);
  const now = ctx.clock.now();
  const kept = lists.get(viewerId, scope, sources, now);
  if (kept) return kept;
  const entries = entriesOf(ctx, viewerId, scope, sources, now);
  lists.keep(viewerId, scope, sources, entries, now);
  return entries;
}

/** What a viewer's list is made from, read together. */
async function listSources(
  ctx: WorkflowContext,
  viewerId: string,
  scope: ListScope,
): Promise<KeyListSources> {
  // Before the rows: rows read after it are never older than it (key-lists.ts `atHand`).
  const stamp = ctx.store.changeStamp?.() ?? null;
  const [keys, owners, retirements, isAdmin] = await Promise.all([
    ctx.keys.listKeys(),
    ctx.store.listKeyOwners(scope === 'mine' ? viewerId : undefined),
    ctx.store.listRetirements({ stages: ['retiring', 'disabled'] }),
    ctx.policy.isAdmin(viewerId),
  ]);
  // Keys scoped to services show them as the console names them now (read only when there are some).
  const services = owners.some((owner) => owner.services) ? await currentServices(ctx) : null;
  return { keys, owners, retirements, isAdmin, policy: ctx.policy.doc, stamp, services };
}

function entriesOf(
  ctx: WorkflowContext,
  viewerId: string,
  scope: ListScope,
  sources: KeyListSources,
  now: Date,
): KeyEntry[] {
  const { keys, owners, retirements, isAdmin } = sources;
  const retiringOf = new Map(retirements.map((r) => [r.keyId, r]));
  forgetVanished(ctx, keys, owners, now);
  const ownerRows = new Map(owners.map((o) => [o.keyId, o]));
  const ownerOf = new Map(owners.map((o) => [o.keyId, o.ownerId]));
  const listed = scope === 'mine' ? keys.filter((key) => ownerOf.get(key.id) === viewerId) : keys;
  const current = sources.services ?? null;
  return listed
    .map((key): KeyEntry => {
      const ownerId = ownerOf.get(key.id) ?? null;
      const self = ownerId === null && ctx.selfKeySuffix !== null && key.keySuffix === ctx.selfKeySuffix;
      const manage = !self && (isAdmin || (ownerId !== null && ownerId === viewerId));
      const leaked = ownerRows.get(key.id)?.leak != null;
      const retirement = retiringOf.get(key.id);
      const retiring = retirement
        ? {
            at: retirement.retireAt,
            stage: retirement.stage === 'disabled' ? ('disabled' as const) : ('retiring' as const),
            successorKeyId: retirement.successorKeyId,
            successorSuffix: retirement.successorSuffix,
          }
        : null;
      return {
        key,
        ownerId,
        self,
        expired: key.expireAt !== null && new Date(key.expireAt) <= now,
        roleLabel: roleLabel(ctx, key, ownerRows.get(key.id)),
        can: {
          // A leaked key is disabled, never enabled (the gate says so again on the click).
          toggle: manage && !(leaked && key.state === 'disabled'),
          edit: manage && !leaked,
          delete: manage,
          // A key already being replaced is not rotated again; its successor is.
          rotate: manage && retiring === null,
          reassign: !self && isAdmin,
          lift: leaked && isAdmin,
        },
        leaked,
        retiring,
        services: servicesOf(ctx, ownerRows.get(key.id), current),
      };
    })
    .sort((a, b) => byName.compare(a.key.name, b.key.name) || byName.compare(a.key.id, b.key.id));
}

/** What a key of a role scoped to services reaches, for the lists; null for any other key. */
function servicesOf(
  ctx: WorkflowContext,
  owner: KeyOwner | undefined,
  current: KeyServices['current'],
): KeyServices | null {
  const role = approvedRole(ctx, owner ?? null);
  if (!owner?.services || !role || !isServiceGrant(role.grant)) return null;
  return { access: role.grant.access, chosen: owner.services, current };
}

/**
 * Ownership rows whose key a list no longer shows are checked, one GET each, in the background (a
 * list never waits for it): only ClickHouse's own 404 for that key proves it is gone. A list that
 * shrank (a bad answer, a stale cache, a partial read) proves nothing, so nothing is forgotten
 * because of one.
 */
function forgetVanished(
  ctx: WorkflowContext,
  keys: readonly ApiKey[],
  owners: readonly KeyOwner[],
  now: Date,
): void {
  const present = new Set(keys.map((k) => k.id));
  const missing = owners.filter(
    (owner) =>
      !present.has(owner.keyId) &&
      now.getTime() - owner.createdAt.getTime() >= OWNERSHIP_GRACE_MS &&
      !ctx.vanishChecks.has(owner.keyId),
  );
  for (const owner of missing) {
    ctx.vanishChecks.add(owner.keyId);
    void confirmVanished(ctx, owner)
      .catch((error: unknown) =>
        ctx.logger.warn({ err: error, keyId: owner.keyId }, 'vanished-key check failed'),
      )
      .finally(() => ctx.vanishChecks.delete(owner.keyId));
  }
}

async function confirmVanished(ctx: WorkflowContext, owner: KeyOwner): Promise<void> {
  try {
    await ctx.keys.getKey(owner.keyId);
    return; // Still there: the list was wrong, not the ownership.
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  await ctx.audit.before({
    actorId: 'system',
    action: 'key.vanished',
    outcome: 'ok',
    keyId: owner.keyId,
    keyName: owner.keyName,
    keySuffix: owner.keySuffix,
    detail: { owner: owner.ownerId, why: 'ClickHouse answered 404 for it' },
  });
  await ctx.store.deleteKeyOwner(owner.keyId);
}

/**
 * The policy role a Keyhouse key was approved under, from the store. Never inferred from what
 * ClickHouse reports: several policy roles may grant the same ClickHouse roles with different
 * approvals and requesters. Null for a key made outside Keyhouse, or whose role left the policy.
 */
export function approvedRole(ctx: WorkflowContext, owner: KeyOwner | null): PolicyRole | null {
  if (!owner?.roleId) return null;
  return ctx.policy.role(owner.roleId) ?? null;
}

/**
 * The policy role a key carries: the one it was approved under, from the store (`approvedRole`),
 * else, for a key made outside Keyhouse or a row from before roles were recorded, the one its
 * ClickHouse roles match, marked `guessed` so it never grants a rotation without approval.
 */
export function keyRole(
  ctx: WorkflowContext,
  key: ApiKey,
  owner: KeyOwner | null,
): { role: PolicyRole; guessed: boolean } | null {
  const approved = approvedRole(ctx, owner);
  if (approved) return { role: approved, guessed: false };
  const matched = policyRoleOf(ctx.policy.doc.roles, key);
  return matched ? { role: matched, guessed: true } : null;
}

/** Tells a key's owner what an admin did to it; nobody is told of their own actions. */
export async function tellOwner(
  ctx: WorkflowContext,
  ownerId: string | null,
  viewerId: string,
  key: ApiKey,
  verb: 'disabled' | 'enabled' | 'deleted' | 'renamed' | 'shortened',
): Promise<void> {
  if (!ownerId || ownerId === viewerId) return;
  await ctx.quietly('tell the owner about a change to their key', () =>
    ctx.notifier.tellRequester(ownerId, {
      kind: 'key_managed',
      keyName: key.name,
      keySuffix: key.keySuffix,
      verb,
      by: viewerId,
    }),
  );
}

/** Disables or enables a key, as the gate allows (a key marked leaked is never enabled). */
export async function setKeyState(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
  state: 'enabled' | 'disabled',
): Promise<Done> {
  const { key, ownerId, label } = await ctx.gate.key(
    viewerId,
    keyId,
    state === 'enabled' ? 'enable' : 'disable',
  );
  if (key.state === state) return { code: 'state_changed', key: label, state, already: true };
  await changeKeyState(ctx, viewerId, key, state);
  await tellOwner(ctx, ownerId, viewerId, key, state);
  return { code: 'state_changed', key: label, state, already: false };
}

/**
 * Disables or enables `key` as `actorId`, audited; the caller has checked the authority
 * (a user's click) or is Keyhouse itself (`system`: timers, offboarding).
 */
export async function changeKeyState(
  ctx: WorkflowContext,
  actorId: string,
  key: ApiKey,
  state: 'enabled' | 'disabled',
  detail?: Record<string, unknown>,
): Promise<void> {
  const action = state === 'enabled' ? 'key.enable' : 'key.disable';
  const about = { actorId, action, keyId: key.id, keyName: key.name, keySuffix: key.keySuffix, detail };
  await ctx.audit.effect(about, async () => {
    // The leak mark is read again once the attempt is on record: a leak marked before this point
    // is seen here, and one marked after it is the tripwire's, whose disable follows (and the
    // timers disable a marked key they find enabled).
    if (state === 'enabled') await ctx.gate.unlessLeaked(key);
    return ctx.keys.updateKey(key.id, { state });
  });
}

/** Deletes a key in ClickHouse and forgets its owner. */
export async function deleteKey(ctx: WorkflowContext, viewerId: string, keyId: string): Promise<Done> {
  const { key, ownerId, label } = await ctx.gate.key(viewerId, keyId, 'delete');
  await removeKey(ctx, viewerId, key);
  await tellOwner(ctx, ownerId, viewerId, key, 'deleted');
  return { code: 'deleted', key: label };
}

/**
 * Deletes `key` in ClickHouse as `actorId` and forgets its owner, audited; the caller has checked
 * the authority (a user's click) or is Keyhouse itself (`system`).
 */
export async function removeKey(
  ctx: WorkflowContext,
  actorId: string,
  key: ApiKey,
  detail?: Record<string, unknown>,
): Promise<void> {
  const about = {
    actorId,
    action: 'key.delete',
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    detail,
  };
  await ctx.audit.effect(
    about,
    async () => {
      const deleted = await ctx.keys.deleteKey(key.id).catch((error: unknown) => {
        // Already gone (deleted in the console meanwhile): the outcome the user asked for.
        if (error instanceof NotFoundError) return { requestId: null };
        throw error;
      });
      await ctx.store.deleteKeyOwner(key.id);
      return deleted;
    },
    (deleted) => ({ upstreamRequestId: deleted.requestId }),
  );
}
