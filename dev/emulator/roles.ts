import { randomUUID } from 'node:crypto';
import { ORGANIZATION_PERMISSIONS, SERVICE_PERMISSIONS } from './permissions.js';
import type { EmulatedPolicy, EmulatedRole, LegacyRole, PolicyTags } from './types.js';

/** One policy of a system role: its permissions on the organization or on every service. */
interface PolicySeed {
  permissions: readonly string[];
  scope: 'organization' | 'services';
  roleV2?: 'sql-console-readonly' | 'sql-console-admin';
}

interface SystemRoleSeed {
  name: string;
  policies: readonly PolicySeed[];
}

const SERVICE_VIEW = SERVICE_PERMISSIONS.filter((name) => name.includes(':view'));
const SERVICE_CONTROL = SERVICE_PERMISSIONS.filter((name) => name.startsWith('control-plane:'));

/**
 * System roles by the names DOC-ROLES gives. The exact strings the live `GET /roles` returns are
 * UNCERTAIN, so clients must match names case-insensitively; "Developer" is the older console role,
 * kept because organizations created before custom roles still show it. The permission names are
 * DOC-ROLES's; which of them each system role carries is not documented and is a plausible reading
 * of the roles' descriptions (UNCERTAIN).
 */
const SYSTEM_ROLES: readonly SystemRoleSeed[] = [
  {
    name: 'Admin',
    policies: [
      { permissions: ORGANIZATION_PERMISSIONS, scope: 'organization' },
      { permissions: SERVICE_PERMISSIONS, scope: 'services', roleV2: 'sql-console-admin' },
    ],
  },
  {
    name: 'Developer',
    policies: [
      {
        permissions: ['control-plane:organization:view', 'control-plane:organization:view-api-keys'],
        scope: 'organization',
      },
      { permissions: SERVICE_VIEW, scope: 'services' },
    ],
  },
  {
    name: 'Billing',
    policies: [
      {
        permissions: [
          'control-plane:organization:view',
          'control-plane:organization:view-billing',
          'control-plane:organization:manage-billing',
        ],
        scope: 'organization',
      },
    ],
  },
  {
    name: 'Org API reader',
    policies: [
      {
        permissions: [
          'control-plane:organization:view',
          'control-plane:organization:view-api-keys',
          'control-plane:organization:view-activities',
        ],
        scope: 'organization',
      },
    ],
  },
  { name: 'Member', policies: [{ permissions: ['control-plane:organization:view'], scope: 'organization' }] },
  { name: 'Service reader', policies: [{ permissions: SERVICE_VIEW, scope: 'services' }] },
  { name: 'Service admin', policies: [{ permissions: SERVICE_CONTROL, scope: 'services' }] },
  { name: 'Service API reader', policies: [{ permissions: SERVICE_VIEW, scope: 'services' }] },
  { name: 'Service API admin', policies: [{ permissions: SERVICE_CONTROL, scope: 'services' }] },
  {
    name: 'Basic service API reader',
    policies: [{ permissions: ['control-plane:service:view-query-api-endpoints'], scope: 'services' }],
  },
  {
    name: 'SQL console read only',
    policies: [
      { permissions: ['sql-console:database:access'], scope: 'services', roleV2: 'sql-console-readonly' },
    ],
  },
  {
    name: 'SQL console admin',
    policies: [
      { permissions: ['sql-console:database:access'], scope: 'services', roleV2: 'sql-console-admin' },
    ],
  },
];

/**
 * The system roles a deprecated `roles` value stands for, by name. No source states this mapping
 * (clickhouse-cloud-api.md §5, UNCERTAIN); it follows the doc's plausible reading, and keeps the
 * older "Developer" role for `developer`.
 */
export const LEGACY_ROLE_SYSTEM_ROLES: Readonly<Record<LegacyRole, readonly string[]>> = {
  admin: ['Admin'],
  developer: ['Developer'],
  query_endpoints: ['Member', 'Basic service API reader'],
};

/**
 * A role as stored: `actors` holds only users, since key actors are derived from the keys'
 * assignments (so `assignedRoleIds` on a key and `apiKey/<id>` in a role's actors are one fact).
 */
export type StoredRole = EmulatedRole;

/** A policy as the role answers it: a new id every time it is written (TF: "changes on every update"). */
export function storedPolicy(
  roleId: string,
  tenantId: string,
  input: { allowDeny: 'ALLOW' | 'DENY'; permissions: readonly string[]; resources: readonly string[] },
  tags: PolicyTags | undefined,
): EmulatedPolicy {
  return {
    id: randomUUID(),
    roleId,
    tenantId,
    allowDeny: input.allowDeny,
    permissions: [...input.permissions],
    resources: [...input.resources],
    ...(tags === undefined ? {} : { tags: structuredClone(tags) }),
  };
}

export function seedSystemRoles(
  organizationId: string,
  createdAt: string,
  ownerUserId: string,
): StoredRole[] {
  const tenantId = `organization/${organizationId}`;
  return SYSTEM_ROLES.map((seed) => {
    const id = randomUUID();
    const policies = seed.policies.map((policy) =>
      storedPolicy(
        id,
        tenantId,
        {
          allowDeny: 'ALLOW',
          permissions: policy.permissions,
          resources: policy.scope === 'organization' ? [tenantId] : ['instance/*'],
        },
        policy.roleV2 === undefined ? undefined : { roleV2: policy.roleV2 },
      ),
    );
    return {
      id,
      tenantId,
      ownerId: tenantId,
      name: seed.name,
      type: 'system',
      // The organization's creator holds Admin, as in a fresh real organization.
      actors: seed.name === 'Admin' ? [`user/${ownerUserId}`] : [],
      policies,
      createdAt,
      updatedAt: createdAt,
    };
  });
}
