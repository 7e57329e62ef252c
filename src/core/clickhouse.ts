/**
 * The ClickHouse Cloud records Keyhouse speaks about (components.schemas of the OpenAPI
 * document), as the KeyApi port hands them over. The API client (src/api) parses responses into
 * these shapes; nothing here knows HTTP.
 */
import type { Secret } from './secret.js';

/** One entry of a key's IP allowlist: an IPv4 address or CIDR. */
export interface IpAccessEntry {
  source: string;
  description?: string;
}

/** A role assigned to a key (the current role model; `ApiKey.roles` is the deprecated one). */
export interface AssignedRole {
  roleId: string;
  roleName: string;
  roleType: 'system' | 'custom';
}

/** An organization API key as the API describes it. */
export interface ApiKey {
  /** Management UUID, used in `/keys/{keyId}` paths. Not the Basic-auth key ID. */
  id: string;
  name: string;
  state: 'enabled' | 'disabled';
  /** Deprecated legacy roles; frozen in organizations migrated to custom roles. Show `assignedRoles`. */
  roles: string[];
  assignedRoles: AssignedRole[];
  /** Last 4 characters of the Basic-auth key ID. */
  keySuffix: string;
  createdAt: string | null;
  /** null: never expires. */
  expireAt: string | null;
  /** null: never used. */
  usedAt: string | null;
  ipAccessList: IpAccessEntry[];
}

export interface Organization {
  id: string;
  name: string;
  createdAt: string | null;
}

/** `RBACPolicyTags`: database grants, and the SQL console role of `sql-console:database:access`. */
export interface RolePolicyTags {
  grants?: string[];
  roleV2?: string;
}

/** One policy of a role (`RBACPolicy`): permissions it allows or denies on resources. */
export interface RolePolicy {
  /** Server-assigned; a new one whenever the role's policies are replaced. */
  id: string | null;
  allowDeny: 'ALLOW' | 'DENY';
  /** e.g. `control-plane:service:view`. */
  permissions: string[];
  /** `instance/<service id>`, `instance/*` or `organization/<organization id>`. */
  resources: string[];
  tags: RolePolicyTags;
}

/** A role from `GET …/roles` (`RBACRole`); its `id` goes into `assignedRoleIds`. */
export interface Role {
  id: string;
  name: string;
  /** `system` roles cannot be changed or deleted. */
  type: 'system' | 'custom';
  /** e.g. `organization/<uuid>`. */
  tenantId: string | null;
  ownerId: string | null;
  /** Who holds the role: `user/<uuid>` and `apiKey/<key id>` (the key's management UUID). */
  actors: string[];
  policies: RolePolicy[];
  createdAt: string | null;
  updatedAt: string | null;
}

/** A policy as `createRole` / `updateRole` send it (`RBACPolicyCreateRequest`). */
export interface RolePolicyInput {
  allowDeny: 'ALLOW' | 'DENY';
  permissions: string[];
  resources: string[];
  tags?: { grants?: string[]; roleV2?: 'sql-console-readonly' | 'sql-console-admin' };
}

/** What `createRole` sends (`RoleCreateRequest`: all three fields required). */
export interface CreateRoleInput {
  name: string;
  actors: string[];
  policies: RolePolicyInput[];
}

/** What `updateRole` sends (`RoleUpdateRequest`). A given `actors` or `policies` list replaces the role's. */
export interface UpdateRoleInput {
  name?: string;
  actors?: string[];
  policies?: RolePolicyInput[];
}

/** A service of the organization (`Service`), as far as Keyhouse shows and scopes keys to it. */
export interface Service {
  id: string;
  name: string;
  /** `running`, `stopped`, `terminating`, …; kept as text so a new state never fails the list. */
  state: string | null;
  provider: string | null;
  region: string | null;
  createdAt: string | null;
}

/**
 * One entry of `GET …/activities` (`Activity`). Keyhouse reads the key events: `key_create`,
 * `key_delete` and `openapi_key_update` (with `targetKeyId` and `keyUpdateType`). A type this
 * client does not know is kept as text, so a new one never fails the whole list.
 */
export interface Activity {
  id: string;
  createdAt: string;
  type: string;
  actorType: string | null;
  actorId: string | null;
  actorDetails: string | null;
  actorIpAddress: string | null;
  targetKeyId: string | null;
  keyUpdateType: string | null;
}

/**
 * An entry of `GET …/activities` that does not parse (the spec requires no field): where it was
 * and what was wrong, never what it said, so it can be logged and audited and the rest read on.
 */
export interface MalformedActivity {
  /** Its place in the answer. */
  index: number;
  /** Its `createdAt` when that much was readable, so a cursor can move past it. */
  createdAt: string | null;
  /** Field paths and what was wrong with them (`id: invalid_type`). */
  problems: string;
  /** SHA-256 (hex) of its JSON: tells it apart from another without keeping it. */
  digest: string;
}

/** One answer of `GET …/activities`: the entries that parse, and those that do not. */
export interface ActivityList {
  activities: Activity[];
  malformed: MalformedActivity[];
}

/** The deprecated role enum still accepted by `roles` on create and update. */
export type LegacyRole = 'admin' | 'developer' | 'query_endpoints';

/** What `createKey` sends. Give either `roles` or `assignedRoleIds`, not both. */
export interface CreateKeyInput {
  name: string;
  /** ISO-8601 date-time with `Z` or an offset; null: the key never expires. */
  expireAt: string | null;
  roles?: LegacyRole[];
  assignedRoleIds?: string[];
  /** Must not be empty: ClickHouse makes a key with an empty allowlist usable from nowhere. */
  ipAccessList: IpAccessEntry[];
  state?: 'enabled' | 'disabled';
}

/** What `updateKey` sends. Absent fields are left unchanged. */
export interface UpdateKeyInput {
  name?: string;
  /** null clears the expiry (sent as `"expireAt": null`); undefined keeps it (the field is not sent). */
  expireAt?: string | null;
  state?: 'enabled' | 'disabled';
  roles?: LegacyRole[];
  assignedRoleIds?: string[];
  /** Replaces the allowlist; must not be empty. */
  ipAccessList?: IpAccessEntry[];
}

/** A key just made: ClickHouse's record, its Basic-auth key ID and its secret, held in a `Secret`. */
export interface CreatedKey {
  key: ApiKey;
  /** The new key's Basic-auth key ID (not `key.id`, the management UUID). */
  keyId: string;
  keySecret: Secret;
  requestId: string | null;
}
