import { z } from 'zod';

/*
 * Response shapes of the ClickHouse Cloud API (components.schemas in the OpenAPI document).
 * The spec marks no field `required`, so parsing is tolerant: a missing optional field becomes null, '' or [].
 * What an operation truly needs (a key's `id`, an organization's `id`) is required here, and its absence
 * surfaces as an InvalidResponseError. A field present with the wrong type is a broken response, not
 * something to guess around.
 */

/** Loose UUID check for ids we put in paths: 8-4-4-4-12 hex digits, any version. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** A role from `GET …/roles`; its `id` goes into `assignedRoleIds`. */
export interface Role {
  id: string;
  name: string;
  type: 'system' | 'custom';
}

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

/** The API says an absent, null or empty timestamp means "none" (never expires, never used). */
const optionalTimestamp = z
  .string()
  .nullish()
  .transform((value) => (value === undefined || value === null || value === '' ? null : value));

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

export const RoleSchema: z.ZodType<Role, unknown> = z.object({
  id: requiredId,
  name: optionalText,
  type: roleType,
});

/** Without `keyId` and `keySecret` a created key is useless (the secret cannot be read again). */
export const CreatedKeySchema: z.ZodType<RawCreatedKey, unknown> = z.object({
  key: ApiKeySchema,
  keyId: z.string().min(1),
  keySecret: z.string().min(1),
});

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

const optionalOrNull = z
  .string()
  .nullish()
  .transform((value) => (value === undefined || value === null || value === '' ? null : value));

export const ActivitySchema: z.ZodType<Activity, unknown> = z.object({
  id: requiredId,
  createdAt: z.string().min(1),
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
