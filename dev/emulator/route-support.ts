import type { z } from 'zod';
import { badRequest } from './errors.js';
import type { EmulatorState, KeyUpdateType } from './state.js';
import type { EmulatedKey } from './types.js';

/** What the route handlers (routes.ts, role-routes.ts) share. */

export interface RouteContext {
  state: EmulatorState;
  params: Readonly<Record<string, string>>;
  /** Parsed JSON body; `undefined` when the request had none. */
  body: unknown;
  /** `ApiKey.id` of the key that authenticated this request. */
  callerKeyUuid: string;
  /** The caller's address, for the activity log. */
  callerAddress?: string;
  /** Query string of the request. */
  query?: URLSearchParams;
  now: Date;
}

/** A handler's answer; the server wraps it in `{ status, requestId, result }`. DELETE has no result. */
export interface RouteOutcome {
  result?: unknown;
}

/** Parses a request body; every problem goes into one 400, by path. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const at = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return `${at}: ${issue.message}`;
  });
  throw badRequest(`Invalid request body: ${problems.join('; ')}`);
}

/** Which aspects of a key a PATCH changed, as `keyUpdateType` values. */
export function keyChanges(before: EmulatedKey, after: EmulatedKey): KeyUpdateType[] {
  const changed: KeyUpdateType[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (before.name !== after.name) changed.push('name-changed');
  if (before.state !== after.state) changed.push('state-changed');
  if (before.expireAt !== after.expireAt) changed.push('date-changed');
  if (!same(before.ipAccessList, after.ipAccessList)) changed.push('ip-access-list-changed');
  if (!same(before.roles, after.roles)) changed.push('role-changed');
  if (!same(before.assignedRoles, after.assignedRoles)) changed.push('roles-v2-changed');
  return changed;
}

/**
 * Records what a role write did to keys' assignments (`roles-v2-changed`, as a PATCH of the key's
 * `assignedRoleIds` would), so the activity log shows a key gaining or losing a role either way.
 */
export function recordAssignmentChanges(ctx: RouteContext, before: readonly EmulatedKey[]): void {
  const actor = ctx.state.apiActor(ctx.callerKeyUuid, ctx.callerAddress ?? '');
  const after = new Map(ctx.state.listKeys().map((key) => [key.id, key]));
  for (const key of before) {
    const now = after.get(key.id);
    if (now === undefined) continue;
    for (const kind of keyChanges(key, now)) ctx.state.recordKeyActivity(actor, key.id, kind);
  }
}
