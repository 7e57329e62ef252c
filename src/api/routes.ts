import { KeyhouseError } from '../core/errors.js';
import { UUID_PATTERN } from './schemas.js';

/**
 * Every operation this client performs, by the name the stats, logs and the emulator use. Templates are
 * what errors and log lines show: the concrete path never appears there.
 */
export const ROUTES = {
  listOrganizations: { method: 'GET', template: '/v1/organizations' },
  getOrganization: { method: 'GET', template: '/v1/organizations/{organizationId}' },
  listKeys: { method: 'GET', template: '/v1/organizations/{organizationId}/keys' },
  createKey: { method: 'POST', template: '/v1/organizations/{organizationId}/keys' },
  getKey: { method: 'GET', template: '/v1/organizations/{organizationId}/keys/{keyId}' },
  updateKey: { method: 'PATCH', template: '/v1/organizations/{organizationId}/keys/{keyId}' },
  deleteKey: { method: 'DELETE', template: '/v1/organizations/{organizationId}/keys/{keyId}' },
  listRoles: { method: 'GET', template: '/v1/organizations/{organizationId}/roles' },
  getRole: { method: 'GET', template: '/v1/organizations/{organizationId}/roles/{roleId}' },
  createRole: { method: 'POST', template: '/v1/organizations/{organizationId}/roles' },
  updateRole: { method: 'PATCH', template: '/v1/organizations/{organizationId}/roles/{roleId}' },
  deleteRole: { method: 'DELETE', template: '/v1/organizations/{organizationId}/roles/{roleId}' },
  listServices: { method: 'GET', template: '/v1/organizations/{organizationId}/services' },
  listActivities: { method: 'GET', template: '/v1/organizations/{organizationId}/activities' },
} as const satisfies Record<string, { method: HttpMethod; template: string }>;

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type RouteName = keyof typeof ROUTES;
export type PathParams = Partial<Record<'organizationId' | 'keyId' | 'roleId', string>>;

/** Throws `invalid_input` unless `value` is a UUID (every path parameter of this API is one). */
export function assertUuid(name: string, value: string | undefined): asserts value is string {
  if (typeof value !== 'string' || !UUID_PATTERN.test(value)) {
    const hint = name === 'keyId' ? " (the key's management id `ApiKey.id`, not its Basic-auth key ID)" : '';
    throw new KeyhouseError('invalid_input', `${name} must be a UUID${hint}`);
  }
}

/**
 * Fills a route template. Ids that are not UUIDs are refused before a request is sent, and values are
 * encoded regardless, so no value can change the path's shape.
 */
export function buildPath(route: RouteName, params: PathParams): string {
  return ROUTES[route].template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name as keyof PathParams];
    assertUuid(name, value);
    return encodeURIComponent(value);
  });
}
