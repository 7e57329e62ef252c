import type { ApiKey } from '../core/clickhouse.js';
import type { KeyOwner } from '../core/model.js';
import type { Directory, KeyFacts, LifecycleNotifier } from '../core/timer-ports.js';
import type { WorkflowContext } from '../workflow/context.js';
import { roleLabel } from '../workflow/keys.js';
import type { Scheduler, WorkAbout } from './scheduler.js';

/** What the lifecycle rules use: the workflow's plumbing, the scheduler, and their Slack ports. */
export interface LifecycleDeps {
  ctx: WorkflowContext;
  scheduler: Scheduler;
  notifier: LifecycleNotifier;
  directory: Directory;
}

export function keyFacts(ctx: WorkflowContext, key: ApiKey, owner: KeyOwner | undefined): KeyFacts {
  return {
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    roleLabel: roleLabel(ctx, key, owner),
  };
}

/** What a timed action on a Keyhouse key is audited as: the key, its owner, and the rule's own facts. */
export function aboutKey(key: ApiKey, owner: KeyOwner, detail: Record<string, unknown> = {}): WorkAbout {
  return {
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    detail: { owner: owner.ownerId, ...detail },
  };
}

/**
 * Keys rotated and not yet deleted: their successor is what the owner cares for now, so
 * they get no expiry warning or stale-key offer (their retirement disables them anyway).
 */
export async function retiringKeys(ctx: WorkflowContext): Promise<Set<string>> {
  return new Set((await ctx.store.listRetirements({ stages: ['retiring', 'disabled'] })).map((r) => r.keyId));
}

/** An instant from ClickHouse, or null when absent or unreadable. */
export function instant(value: string | null | undefined): Date | null {
  if (!value) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}
