import type { CreateKeyInput, IpAccessEntry, LegacyRole, UpdateKeyInput } from '../core/clickhouse.js';
import { KeyhouseError } from '../core/errors.js';
import { UUID_PATTERN } from './schemas.js';

export type { CreateKeyInput, LegacyRole, UpdateKeyInput };

const LEGACY_ROLES: ReadonlySet<string> = new Set<LegacyRole>(['admin', 'developer', 'query_endpoints']);
const STATES: ReadonlySet<string> = new Set(['enabled', 'disabled']);

/** Builds and checks the `POST …/keys` body; throws `invalid_input` before anything is sent. */
export function createKeyBody(input: CreateKeyInput): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: checkName(input.name),
    expireAt: input.expireAt === null ? null : checkExpireAt(input.expireAt),
    ipAccessList: checkIpAccessList(input.ipAccessList),
  };
  if (input.state !== undefined) body.state = checkState(input.state);
  Object.assign(body, roleFields(input));
  return body;
}

/**
 * Builds and checks the `PATCH …/keys/{keyId}` body. Only fields the caller set are sent; `expireAt: null`
 * is sent as null because the API reads it as "clear the expiry" (clickhousectl #698).
 */
export function updateKeyBody(patch: UpdateKeyInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (patch.name !== undefined) body.name = checkName(patch.name);
  if (patch.expireAt !== undefined)
    body.expireAt = patch.expireAt === null ? null : checkExpireAt(patch.expireAt);
  if (patch.state !== undefined) body.state = checkState(patch.state);
  if (patch.ipAccessList !== undefined) body.ipAccessList = checkIpAccessList(patch.ipAccessList);
  Object.assign(body, roleFields(patch));
  if (Object.keys(body).length === 0) throw invalid('an update must change at least one field');
  return body;
}

function roleFields(input: { roles?: LegacyRole[]; assignedRoleIds?: string[] }): Record<string, unknown> {
  // What the API does with both is undocumented; one source of truth per key avoids finding out.
  if (input.roles !== undefined && input.assignedRoleIds !== undefined) {
    throw invalid('give either roles or assignedRoleIds, not both');
  }
  if (input.roles !== undefined) {
    for (const role of input.roles) {
      if (!LEGACY_ROLES.has(role)) throw invalid(`unknown legacy role ${JSON.stringify(role)}`);
    }
    return { roles: [...input.roles] };
  }
  if (input.assignedRoleIds !== undefined) {
    for (const id of input.assignedRoleIds) {
      if (typeof id !== 'string' || !UUID_PATTERN.test(id)) {
        throw invalid('assignedRoleIds must be role UUIDs');
      }
    }
    return { assignedRoleIds: [...input.assignedRoleIds] };
  }
  return {};
}

function checkName(name: string): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid('the key name must not be empty');
  return name;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function checkExpireAt(expireAt: string): string {
  if (typeof expireAt !== 'string' || !DATE_TIME.test(expireAt) || Number.isNaN(Date.parse(expireAt))) {
    throw invalid('expireAt must be an ISO-8601 date-time with Z or an offset, or null');
  }
  return expireAt;
}

function checkState(state: string): string {
  if (!STATES.has(state)) throw invalid(`state must be enabled or disabled, got ${JSON.stringify(state)}`);
  return state;
}

function checkIpAccessList(list: IpAccessEntry[]): IpAccessEntry[] {
  if (!Array.isArray(list) || list.length === 0) {
    // An empty list is accepted by the API and yields a key usable from nowhere (clickhousectl #829).
    throw invalid(
      'ipAccessList must not be empty (an empty list makes the key unusable); use 0.0.0.0/0 for anywhere',
    );
  }
  return list.map((entry) => {
    if (typeof entry?.source !== 'string' || entry.source.trim() === '' || /\s/.test(entry.source)) {
      throw invalid('every ipAccessList entry needs a source (an IP address or CIDR)');
    }
    return entry.description === undefined
      ? { source: entry.source }
      : { source: entry.source, description: entry.description };
  });
}

function invalid(message: string): KeyhouseError {
  return new KeyhouseError('invalid_input', message);
}
