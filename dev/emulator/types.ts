/**
 * The shapes the emulator answers with, named and ordered as in the spec's component schemas
 * (`ApiKey`, `AssignedRole`, `IpAccessListEntry`, `Organization`, `RBACRole`, `RBACPolicy`, `Service`).
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

/** `RBACPolicyTags`: database grants and the SQL console role of `sql-console:database:access`. */
export interface PolicyTags {
  grants?: string[];
  roleV2?: 'sql-console-readonly' | 'sql-console-admin';
}

export interface EmulatedPolicy {
  id: string;
  roleId: string;
  tenantId: string;
  allowDeny: 'ALLOW' | 'DENY';
  permissions: string[];
  resources: string[];
  tags?: PolicyTags;
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

export interface ServiceEndpoint {
  protocol: 'https' | 'nativesecure' | 'mysql';
  host: string;
  port: number;
  username?: string | null;
}

/**
 * A service as `GET …/services/{serviceId}` returns it (`Service`), with the fields a vertically
 * autoscaled service shows; `autoscalingMode` and `currentScaling` are the two the spec requires.
 */
export interface EmulatedService {
  id: string;
  name: string;
  provider: 'aws' | 'gcp' | 'azure';
  region: string;
  state: string;
  clickhouseVersion: string;
  endpoints: ServiceEndpoint[];
  minReplicaMemoryGb: number;
  maxReplicaMemoryGb: number;
  numReplicas: number;
  autoscalingMode: 'vertical';
  idleScaling: boolean;
  idleTimeoutMinutes: number;
  ipAccessList: IpAccessListEntry[];
  createdAt: string;
  isPrimary: boolean;
  isReadonly: boolean;
  releaseChannel: 'default';
  tags: never[];
  currentScaling: {
    effectiveAutoscalingMode: 'vertical';
    effectiveMinReplicaMemoryGb: number;
    effectiveMaxReplicaMemoryGb: number;
    effectiveMinReplicas: number;
    effectiveMaxReplicas: number;
    effectiveIdleScaling: boolean;
    effectiveIdleTimeoutMinutes: number;
  };
}
