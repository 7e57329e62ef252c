import type {
  CreateKeyInput,
  CreateRoleInput,
  IpAccessEntry,
  LegacyRole,
  RolePolicyInput,
  UpdateKeyInput,
  UpdateRoleInput,
} from '../core/clickhouse.js';
import { KeyhouseError } from '../core/errors.js';
import { UUID_PATTERN } from './schemas.js';

export type { CreateKeyInput, CreateRoleInput, LegacyRole, RolePolicyInput, UpdateKeyInput, UpdateRoleInput };

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

/** Builds and checks the `POST …/roles` body; throws `invalid_input` before anything is sent. */
export function createRoleBody(input: CreateRoleInput): Record<string, unknown> {
  return {
    name: checkName(input.name, 'role'),
    actors: checkActors(input.actors),
    policies: checkPolicies(input.policies),
  };
}

/** Builds and checks the `PATCH …/roles/{roleId}` body: only the fields given, each replacing the role's. */
export function updateRoleBody(patch: UpdateRoleInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (patch.name !== undefined) body.name = checkName(patch.name, 'role');
  if (patch.actors !== undefined) body.actors = checkActors(patch.actors);
  if (patch.policies !== undefined) body.policies = checkPolicies(patch.policies);
  if (Object.keys(body).length === 0) throw invalid('a role update must change at least one field');
  return body;
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** Who may hold a role: a person or an API key (by its management UUID). */
const ACTOR = new RegExp(`^(user|apiKey)/${UUID}$`);
/** The resource forms the spec gives: `instance/<uuid>`, `instance/*`, `organization/<uuid>`. */
const RESOURCE = new RegExp(`^(instance/(\\*|${UUID})|organization/${UUID})$`);
const PERMISSION = /^[a-z-]+(:[a-z*-]+)+$/;
const ALLOW_DENY: ReadonlySet<string> = new Set(['ALLOW', 'DENY']);
const SQL_CONSOLE_ROLES: ReadonlySet<string> = new Set(['sql-console-readonly', 'sql-console-admin']);

function checkActors(actors: readonly string[]): string[] {
  if (!Array.isArray(actors)) throw invalid('actors must be a list');
  for (const actor of actors) {
    if (typeof actor !== 'string' || !ACTOR.test(actor)) {
      throw invalid("every actor must be user/<uuid> or apiKey/<key id> (the key's management id)");
    }
  }
  return [...actors];
}

function checkPolicies(policies: readonly RolePolicyInput[]): RolePolicyInput[] {
  if (!Array.isArray(policies)) throw invalid('policies must be a list');
  return policies.map(checkPolicy);
}

/** Copies only the fields the spec declares, so nothing invented reaches the wire. */
function checkPolicy(policy: RolePolicyInput, index: number): RolePolicyInput {
  const at = `policies[${index}]`;
  if (!ALLOW_DENY.has(policy?.allowDeny)) throw invalid(`${at}.allowDeny must be ALLOW or DENY`);
  if (!nonEmptyList(policy.permissions) || !policy.permissions.every((p) => PERMISSION.test(p))) {
    throw invalid(`${at}.permissions must be permission names such as control-plane:service:view`);
  }
  if (!nonEmptyList(policy.resources) || !policy.resources.every((r) => RESOURCE.test(r))) {
    throw invalid(`${at}.resources must be instance/<service id>, instance/* or organization/<id>`);
  }
  const checked: RolePolicyInput = {
    allowDeny: policy.allowDeny,
    permissions: [...policy.permissions],
    resources: [...policy.resources],
  };
  if (policy.tags !== undefined) checked.tags = checkTags(policy.tags, at);
  return checked;
}

function checkTags(
  tags: NonNullable<RolePolicyInput['tags']>,
  at: string,
): NonNullable<RolePolicyInput['tags']> {
  const checked: NonNullable<RolePolicyInput['tags']> = {};
  if (tags.grants !== undefined) {
    if (!Array.isArray(tags.grants) || !tags.grants.every((grant) => typeof grant === 'string')) {
      throw invalid(`${at}.tags.grants must be a list of names`);
    }
    checked.grants = [...tags.grants];
  }
  if (tags.roleV2 !== undefined) {
    if (!SQL_CONSOLE_ROLES.has(tags.roleV2)) {
      throw invalid(`${at}.tags.roleV2 must be sql-console-readonly or sql-console-admin`);
    }
    checked.roleV2 = tags.roleV2;
  }
  return checked;
}

function nonEmptyList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');
}

function checkName(name: string, what: 'key' | 'role' = 'key'): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid(`the ${what} name must not be empty`);
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
