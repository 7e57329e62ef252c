/**
 * What a policy role's `grant: { services, access }` means in ClickHouse Cloud (product.md §16):
 * the permissions a custom role made by Keyhouse carries on each chosen service, and the
 * organization role the key needs beside it. Written once, here, with the source of every name.
 * Several names are UNCERTAIN (no public source says they are the ones that grant the access): if
 * the live API differs, this table is the one place to change.
 *
 * Sources (tags as in clickhouse-cloud-api.md §0):
 * - DOC-ROLES: ClickHouse docs, "Console roles and permissions", its permission table
 *   (clickhouse-docs `i18n/…/console-roles`: `control-plane:service:view` "view service-level
 *   metadata, settings and status", `…:manage` "manage service configuration and lifecycle
 *   operations", `…:view-query-api-endpoints`, `…:manage-query-api-endpoints`).
 * - DOC-KEYS: "Managing API keys", the console's tip: "To use API keys with Query API Endpoints, set
 *   Organization Role to Member (minimum) and grant Service Role access to Query Endpoints."
 * - CTL: clickhousectl `crates/clickhouse-cloud-api/src/meta/operations.rs`, the permission each
 *   operation requires (`instanceGet`: `control-plane:service:view`; `instanceUpdate`:
 *   `control-plane:service:manage`; `instanceQueryEndpointGet`: `…:view-query-api-endpoints`).
 * - TF: terraform-provider-clickhouse `docs/resources/role.md` (policies on `instance/<service id>`;
 *   "the backend may auto-grant additional permissions as a side effect of a declared one").
 */
import { deepFreeze } from '../util/deep-freeze.js';
import type { RolePolicyInput } from './clickhouse.js';
import { KeyhouseError } from './errors.js';

export const SERVICE_ACCESS = ['read', 'manage', 'query-endpoints'] as const;
export type ServiceAccess = (typeof SERVICE_ACCESS)[number];

/** A name from ClickHouse Cloud and where it comes from. */
export interface Sourced {
  readonly name: string;
  readonly source: string;
  /** Present when no source confirms the name does what the table uses it for: why it is a guess. */
  readonly uncertain?: string;
}

export interface AccessGrant {
  /** Allowed on `instance/<service id>` of every chosen service, and nothing else. */
  readonly permissions: readonly Sourced[];
  /**
   * A system organization role the key holds beside the custom role, by name (the exact strings
   * `GET …/roles` returns are UNCERTAIN, so match them case-insensitively); null: none.
   */
  readonly organizationRole: Sourced | null;
}

const SERVICE_VIEW: Sourced = {
  name: 'control-plane:service:view',
  source: 'DOC-ROLES permission table; CTL operations.rs (instanceGet)',
};

export const SERVICE_ACCESS_TABLE: Readonly<Record<ServiceAccess, AccessGrant>> = deepFreeze({
  read: {
    permissions: [SERVICE_VIEW],
    organizationRole: null,
  },
  manage: {
    permissions: [
      SERVICE_VIEW,
      {
        name: 'control-plane:service:manage',
        source: 'DOC-ROLES permission table; CTL operations.rs (instanceUpdate)',
        uncertain:
          'DOC-ROLES lists backups, scaling, IP access list and private endpoints as separate ' +
          'manage-… permissions; whether `manage` implies any of them (TF: the backend may ' +
          'auto-grant related ones) is not documented, and they are not granted here',
      },
    ],
    organizationRole: null,
  },
  'query-endpoints': {
    permissions: [
      {
        name: 'control-plane:service:view-query-api-endpoints',
        source: 'DOC-ROLES permission table; CTL operations.rs (instanceQueryEndpointGet)',
        uncertain:
          'DOC-ROLES describes it as viewing the endpoints and their configuration; which permission ' +
          'lets a key call them (the "Basic service API reader" role, "API permission to use query ' +
          'API endpoints") is not documented',
      },
    ],
    organizationRole: {
      name: 'Member',
      source:
        'DOC-KEYS (the console tip: Organization Role Member, minimum); TF examples look it up by this name',
    },
  },
});

/**
 * The policies of the custom role for `access` on exactly `serviceIds`: one ALLOW policy whose
 * resources are those services, sorted and without repeats, so the same choice always reads alike.
 */
export function servicePolicies(access: ServiceAccess, serviceIds: readonly string[]): RolePolicyInput[] {
  const resources = [...new Set(serviceIds)].sort().map((id) => `instance/${id}`);
  if (resources.length === 0) {
    throw new KeyhouseError('invalid_input', 'a service role needs at least one service');
  }
  const permissions = SERVICE_ACCESS_TABLE[access].permissions.map((permission) => permission.name);
  return [{ allowDeny: 'ALLOW', permissions, resources }];
}
