import { randomUUID } from 'node:crypto';
import type { EmulatedPolicy, EmulatedRole } from './types.js';

interface SystemRoleSeed {
  name: string;
  permissions: string[];
  /** Organization-level roles apply to the organization, service roles to every service. */
  scope: 'organization' | 'services';
  roleV2?: 'sql-console-readonly' | 'sql-console-admin';
}

/**
 * System roles by the names DOC-ROLES gives. The exact strings the live `GET /roles` returns are
 * UNCERTAIN, so clients must match names case-insensitively; "Developer" is the older console role,
 * kept because organizations created before custom roles still show it. Only the key-management
 * permission names are documented; the others are plausible stand-ins.
 */
const SYSTEM_ROLES: readonly SystemRoleSeed[] = [
  {
    name: 'Admin',
    permissions: ['control-plane:organization:*', 'control-plane:service:*'],
    scope: 'organization',
  },
  {
    name: 'Developer',
    permissions: ['control-plane:organization:view', 'control-plane:organization:view-api-keys'],
    scope: 'organization',
  },
  {
    name: 'Billing',
    permissions: ['control-plane:organization:view', 'control-plane:organization:manage-billing'],
    scope: 'organization',
  },
  {
    name: 'Org API reader',
    permissions: ['control-plane:organization:view', 'control-plane:organization:view-api-keys'],
    scope: 'organization',
  },
  { name: 'Member', permissions: ['control-plane:organization:view'], scope: 'organization' },
  { name: 'Service reader', permissions: ['control-plane:service:view'], scope: 'services' },
  { name: 'Service admin', permissions: ['control-plane:service:*'], scope: 'services' },
  { name: 'Service API reader', permissions: ['control-plane:service:view'], scope: 'services' },
  { name: 'Service API admin', permissions: ['control-plane:service:*'], scope: 'services' },
  {
    name: 'Basic service API reader',
    permissions: ['control-plane:service:query-endpoints'],
    scope: 'services',
  },
  {
    name: 'SQL console read only',
    permissions: ['data-plane:service:sql-console'],
    scope: 'services',
    roleV2: 'sql-console-readonly',
  },
  {
    name: 'SQL console admin',
    permissions: ['data-plane:service:sql-console'],
    scope: 'services',
    roleV2: 'sql-console-admin',
  },
];

/** A role as stored: `actors` holds only users; key actors are derived from the keys' assignments. */
export type StoredRole = EmulatedRole;

export function seedSystemRoles(
  organizationId: string,
  createdAt: string,
  ownerUserId: string,
): StoredRole[] {
  const tenantId = `organization/${organizationId}`;
  return SYSTEM_ROLES.map((seed) => {
    const id = randomUUID();
    const policy: EmulatedPolicy = {
      id: randomUUID(),
      roleId: id,
      tenantId,
      allowDeny: 'ALLOW',
      permissions: [...seed.permissions],
      resources: seed.scope === 'organization' ? [tenantId] : ['instance/*'],
      ...(seed.roleV2 ? { tags: { roleV2: seed.roleV2 } } : {}),
    };
    return {
      id,
      tenantId,
      ownerId: tenantId,
      name: seed.name,
      type: 'system',
      // The organization's creator holds Admin, as in a fresh real organization.
      actors: seed.name === 'Admin' ? [`user/${ownerUserId}`] : [],
      policies: [policy],
      createdAt,
      updatedAt: createdAt,
    };
  });
}
