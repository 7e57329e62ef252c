import { badRequest } from './errors.js';
import { isUuid } from './ids.js';

/**
 * What a role's policies may name: the permissions and resources the emulator accepts, and which
 * goes with which. Whether the live API checks permission names at all, or refuses a service
 * permission on the organization, is UNCERTAIN; the emulator refuses both with a 400, so a client
 * meets the stricter behaviour here rather than in production.
 */

/** Permissions that apply to the organization (`organization/<id>`). */
export const ORGANIZATION_PERMISSIONS = [
  // DOC-ROLES permission table.
  'control-plane:organization:view',
  'control-plane:organization:manage',
  'control-plane:organization:manage-billing',
  'control-plane:organization:view-billing',
  'control-plane:organization:view-api-keys',
  'control-plane:organization:create-api-keys',
  'control-plane:organization:update-api-keys',
  'control-plane:organization:delete-api-keys',
  'control-plane:support:manage',
  // CTL `meta/operations.rs` (the permission each operation requires): activities and service creation.
  'control-plane:organization:view-activities',
  'control-plane:organization:create-service',
] as const;

/** Permissions that apply to services (`instance/<id>`, `instance/*`). */
export const SERVICE_PERMISSIONS = [
  // DOC-ROLES permission table.
  'control-plane:service:view',
  'control-plane:service:manage',
  'control-plane:service:view-backups',
  'control-plane:service:manage-backups',
  'control-plane:service:manage-ip-access-list',
  'control-plane:service:manage-generative-ai',
  'control-plane:service:view-query-api-endpoints',
  'control-plane:service:manage-query-api-endpoints',
  'control-plane:service:view-private-endpoints',
  'control-plane:service:manage-private-endpoints',
  'control-plane:service:manage-clickpipes',
  'control-plane:service:view-scaling-config',
  'control-plane:service:manage-scaling-config',
  'control-plane:service:manage-clickstack-api',
  'sql-console:database:access',
  // CTL `meta/operations.rs`: deleting a service.
  'control-plane:service:delete',
] as const;

type ResourceKind = 'organization' | 'service';

const KIND_OF_PERMISSION: ReadonlyMap<string, ResourceKind> = new Map([
  ...ORGANIZATION_PERMISSIONS.map((name) => [name, 'organization'] as const),
  ...SERVICE_PERMISSIONS.map((name) => [name, 'service'] as const),
]);

/** What a resource string names, for the organization the emulator serves and its services. */
export interface ResourceScope {
  organizationId: string;
  serviceExists(serviceId: string): boolean;
}

/**
 * The kind of `resource`, or a 400. The spec's examples are `instance/<uuid>`, `instance/*` and
 * `organization/<uuid>`. A service that does not exist is refused (UNCERTAIN live), so a role can
 * only be made for services that were there when it was made; one deleted later stays named.
 */
function resourceKind(resource: string, scope: ResourceScope, at: string): ResourceKind {
  const [type, id = '', ...rest] = resource.split('/');
  if (rest.length === 0 && type === 'instance' && id === '*') return 'service';
  if (rest.length === 0 && type === 'instance' && isUuid(id)) {
    if (!scope.serviceExists(id)) throw badRequest(`${at} '${resource}': no such service`);
    return 'service';
  }
  if (rest.length === 0 && type === 'organization' && id === scope.organizationId) return 'organization';
  throw badRequest(
    `${at} '${resource}': must be instance/<service id>, instance/* or organization/<organization id>`,
  );
}

/** Checks one policy's permissions against its resources; throws a 400 naming the first problem. */
export function checkPolicy(
  policy: { permissions: readonly string[]; resources: readonly string[] },
  scope: ResourceScope,
  at: string,
): void {
  const kinds = new Set(
    policy.resources.map((resource, i) => resourceKind(resource, scope, `${at}.resources.${i}`)),
  );
  policy.permissions.forEach((permission, i) => {
    const kind = KIND_OF_PERMISSION.get(permission);
    if (kind === undefined) throw badRequest(`${at}.permissions.${i} '${permission}': unknown permission`);
    if (!kinds.has(kind) || kinds.size > 1) {
      throw badRequest(
        `${at}.permissions.${i} '${permission}': a ${kind} permission needs ${kind === 'service' ? 'instance' : 'organization'} resources only`,
      );
    }
  });
}
