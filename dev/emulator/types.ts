/**
 * The shapes the emulator answers with, named and ordered as in the spec's component schemas
 * (`ApiKey`, `AssignedRole`, `IpAccessListEntry`, `Organization`, `RBACRole`, `RBACPolicy`).
 */

export const LEGACY_ROLES = ['admin', 'developer', 'query_endpoints'] as const;
export type LegacyRole = (typeof LEGACY_ROLES)[number];
export type KeyState = 'enabled' | 'disabled';

export interface IpAccessListEntry {
  source: string;
  description?: string;
}

export interface AssignedRole {
  roleId: string;
  roleName: string;
  roleType: 'system' | 'custom';
}

/** A key as `GET …/keys/{keyId}` returns it (`ApiKey`); never carries a secret. */
export interface EmulatedKey {
  id: string;
  name: string;
  state: KeyState;
  /** Deprecated legacy roles, kept as given. */
  roles: LegacyRole[];
  assignedRoles: AssignedRole[];
  keySuffix: string;
  createdAt: string;
  expireAt: string | null;
  /** Absent until the key first authenticates (spec: "If not present the key was never used"). */
  usedAt?: string;
  ipAccessList: IpAccessListEntry[];
}

export interface EmulatedOrganization {
  id: string;
  createdAt: string;
  name: string;
  privateEndpoints: never[];
  byocConfig: never[];
  enableCoreDumps: boolean;
}

export interface EmulatedPolicy {
  id: string;
  roleId: string;
  tenantId: string;
  allowDeny: 'ALLOW' | 'DENY';
  permissions: string[];
  resources: string[];
  tags?: { roleV2?: 'sql-console-readonly' | 'sql-console-admin' };
}

export interface EmulatedRole {
  id: string;
  tenantId: string;
  ownerId: string;
  name: string;
  type: 'system' | 'custom';
  actors: string[];
  policies: EmulatedPolicy[];
  createdAt: string;
  updatedAt: string;
}
