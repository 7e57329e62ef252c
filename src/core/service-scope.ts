/**
 * Keys scoped to some services (product.md §16): which services a policy's patterns match, the
 * services a request chose, and the name of the custom role Keyhouse makes for one set of them.
 * What each `access` means in permissions lives in service-access.ts, the one table.
 */
import { createHash } from 'node:crypto';
import type { Service } from './clickhouse.js';
import type { ServiceAccess } from './service-access.js';

/** A service a request chose, as it was named when chosen (a later rename or deletion shows). */
export interface ChosenService {
  id: string;
  name: string;
}

/** What became of a chosen service in the console since it was chosen. */
export type ServiceStatus =
  | { kind: 'present'; name: string }
  | { kind: 'renamed'; name: string; was: string }
  | { kind: 'deleted'; was: string };

/** Every name Keyhouse gives a role it makes starts with this; no other role is ever touched. */
export const KEYHOUSE_ROLE_PREFIX = 'keyhouse:';

/** Whether `pattern` (a service id, a name, or a name with `*`) matches `service`. */
export function matchesService(pattern: string, service: Pick<Service, 'id' | 'name'>): boolean {
  if (pattern.toLowerCase() === service.id.toLowerCase()) return true;
  const glob = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${glob}$`, 'i').test(service.name);
}

/** The services any of `patterns` matches, in name order. */
export function matchServices<S extends Pick<Service, 'id' | 'name'>>(
  patterns: readonly string[],
  services: readonly S[],
): S[] {
  return services
    .filter((service) => patterns.some((pattern) => matchesService(pattern, service)))
    .sort((a, b) => a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id));
}

/** The patterns that match none of `services` (reported at start: services come and go). */
export function unmatchedPatterns(
  patterns: readonly string[],
  services: readonly Pick<Service, 'id' | 'name'>[],
): string[] {
  return patterns.filter((pattern) => !services.some((service) => matchesService(pattern, service)));
}

/** The service ids of a choice, sorted and without repeats: one set reads one way. */
export function serviceSet(chosen: readonly Pick<ChosenService, 'id'>[]): string[] {
  return [...new Set(chosen.map((s) => s.id))].sort();
}

/**
 * The custom role's name for one policy role, access and set of services:
 * `keyhouse:<role>:<short hash>`. The hash covers the access and the sorted ids, so the same
 * choice always finds the same role, and a crash between making it and recording it is healed by
 * looking the name up. 12 hex digits (48 bits) keep names short; a collision would need two sets
 * of one policy role to agree on them.
 */
export function serviceRoleName(policyRoleId: string, access: ServiceAccess, serviceIds: readonly string[]) {
  const digest = createHash('sha256')
    .update(`${access}\n${[...new Set(serviceIds)].sort().join('\n')}`)
    .digest('hex');
  return `${KEYHOUSE_ROLE_PREFIX}${policyRoleId}:${digest.slice(0, 12)}`;
}

/** What the console shows now for each chosen service. */
export function serviceStatuses(
  chosen: readonly ChosenService[],
  current: readonly Pick<Service, 'id' | 'name'>[],
): ServiceStatus[] {
  const byId = new Map(current.map((s) => [s.id, s.name]));
  return chosen.map((service): ServiceStatus => {
    const name = byId.get(service.id);
    if (name === undefined) return { kind: 'deleted', was: service.name };
    return name === service.name ? { kind: 'present', name } : { kind: 'renamed', name, was: service.name };
  });
}

/** Whether `next` reaches a service `before` did not (a widening, which needs approval). */
export function widens(
  before: readonly Pick<ChosenService, 'id'>[],
  next: readonly Pick<ChosenService, 'id'>[],
) {
  const held = new Set(before.map((s) => s.id));
  return next.some((s) => !held.has(s.id));
}
