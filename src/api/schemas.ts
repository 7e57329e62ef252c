import { z } from 'zod';
import type {
  Activity,
  ApiKey,
  AssignedRole,
  IpAccessEntry,
  Organization,
  Role,
  RolePolicy,
  RolePolicyTags,
  Service,
} from '../core/clickhouse.js';

export type { Activity, ApiKey, AssignedRole, IpAccessEntry, Organization, Role, RolePolicy, Service };

/*
 * Response shapes of the ClickHouse Cloud API (components.schemas in the OpenAPI document).
 * The spec marks no field `required`, so parsing is tolerant: a missing optional field becomes null, '' or [].
 * What an operation truly needs (a key's `id`, an organization's `id`) is required here, and its absence
 * surfaces as an InvalidResponseError. A field present with the wrong type is a broken response, not
 * something to guess around.
 */

/** Loose UUID check for ids we put in paths: 8-4-4-4-12 hex digits, any version. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The create response before the secret is wrapped (it is wrapped by the client right after parsing). */
export interface RawCreatedKey {
  key: ApiKey;
  keyId: string;
  keySecret: string;
}

const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? '');

/** Text that may be absent, null or empty, all read as null. */
const optionalOrNull = z
  .string()
  .nullish()
  .transform((value) => (value === undefined || value === null || value === '' ? null : value));

/** The API says an absent, null or empty timestamp means "none" (never expires, never used). */
const optionalTimestamp = optionalOrNull;

function optionalArray<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .nullish()
    .transform((value) => value ?? []);
}

/** An unknown role type is treated as an organization-defined one rather than failing the whole list. */
const roleType = z.enum(['system', 'custom']).catch('custom');

const requiredId = z.string().min(1);

export const IpAccessEntrySchema: z.ZodType<IpAccessEntry, unknown> = z
  .object({ source: z.string().min(1), description: z.string().nullish() })
  .transform(({ source, description }) =>
    description === undefined || description === null ? { source } : { source, description },
  );

export const AssignedRoleSchema: z.ZodType<AssignedRole, unknown> = z.object({
  roleId: requiredId,
  roleName: optionalText,
  roleType,
});

/**
 * A missing state is the API's default, `enabled`. A state this client does not know (a future value) is
 * reported as `disabled`: we never claim a key is usable when we cannot tell.
 */
const keyState = z
  .string()
  .nullish()
  .transform((value): ApiKey['state'] =>
    value === undefined || value === null || value === 'enabled' ? 'enabled' : 'disabled',
  );

export const ApiKeySchema: z.ZodType<ApiKey, unknown> = z.object({
  id: requiredId,
  name: optionalText,
  state: keyState,
  roles: optionalArray(z.string()),
  assignedRoles: optionalArray(AssignedRoleSchema),
  keySuffix: optionalText,
  createdAt: optionalTimestamp,
  expireAt: optionalTimestamp,
  usedAt: optionalTimestamp,
  ipAccessList: optionalArray(IpAccessEntrySchema),
});

export const OrganizationSchema: z.ZodType<Organization, unknown> = z.object({
  id: requiredId,
  name: optionalText,
  createdAt: optionalTimestamp,
});

/**
 * Anything but an explicit `ALLOW` reads as `DENY`: a policy misread as denying can only make a
 * role look narrower than it is, never wider.
 */
const allowDeny = z
  .string()
  .nullish()
  .transform((value): RolePolicy['allowDeny'] => (value === 'ALLOW' ? 'ALLOW' : 'DENY'));

const RolePolicyTagsSchema: z.ZodType<RolePolicyTags, unknown> = z
  .object({ grants: z.array(z.string()).nullish(), roleV2: z.string().nullish() })
  .nullish()
  .transform((tags) => ({
    ...(tags?.grants ? { grants: tags.grants } : {}),
    ...(tags?.roleV2 ? { roleV2: tags.roleV2 } : {}),
  }));

export const RolePolicySchema: z.ZodType<RolePolicy, unknown> = z.object({
  id: optionalOrNull,
  allowDeny,
  permissions: optionalArray(z.string()),
  resources: optionalArray(z.string()),
  tags: RolePolicyTagsSchema,
});

export const RoleSchema: z.ZodType<Role, unknown> = z.object({
  id: requiredId,
  name: optionalText,
  type: roleType,
  tenantId: optionalOrNull,
  ownerId: optionalOrNull,
  actors: optionalArray(z.string()),
  policies: optionalArray(RolePolicySchema),
  createdAt: optionalTimestamp,
  updatedAt: optionalTimestamp,
});

/** A service needs its id (roles name it) and, to be shown, its name; the rest is informative. */
export const ServiceSchema: z.ZodType<Service, unknown> = z.object({
  id: requiredId,
  name: optionalText,
  state: optionalOrNull,
  provider: optionalOrNull,
  region: optionalOrNull,
  createdAt: optionalTimestamp,
});

/** Without `keyId` and `keySecret` a created key is useless (the secret cannot be read again). */
export const CreatedKeySchema: z.ZodType<RawCreatedKey, unknown> = z.object({
  key: ApiKeySchema,
  keyId: z.string().min(1),
  keySecret: z.string().min(1),
});

/** An instant `Date.parse` reads; a cursor and an ordering are built from it. */
export const instantText = z
  .string()
  .min(1)
  .refine((text) => !Number.isNaN(Date.parse(text)), 'not a date-time');

export const ActivitySchema: z.ZodType<Activity, unknown> = z.object({
  id: requiredId,
  createdAt: instantText,
  type: z.string().min(1),
  actorType: optionalOrNull,
  actorId: optionalOrNull,
  actorDetails: optionalOrNull,
  actorIpAddress: optionalOrNull,
  targetKeyId: optionalOrNull,
  keyUpdateType: optionalOrNull,
});

/** The `{status, requestId, result}` wrapper around every success body. */
export const EnvelopeSchema = z.object({
  status: z.number().optional(),
  requestId: z
    .string()
    .nullish()
    .transform((value) => (value ? value : null)),
  result: z.unknown().optional(),
});

export type Envelope = z.output<typeof EnvelopeSchema>;

/**
 * Describes a zod failure by paths and issue codes only: zod messages can quote received values, and a
 * create response holds a secret.
 */
export function describeIssues(error: z.ZodError, prefix = 'result'): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    return `${path || '(body)'}: ${issue.code}`;
  });
  const more = error.issues.length > 3 ? ` and ${error.issues.length - 3} more` : '';
  return parts.join('; ') + more;
}
