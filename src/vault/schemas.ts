import { z } from 'zod';
import { VaultInvalidResponseError } from './errors.js';
import type { VaultReply } from './transport.js';

/**
 * What Keyhouse reads from Vault's answers (github-and-vault.md §9–§11; `../shared/ref/
 * vault-kv2-approle.openapi.json`). Every JSON answer is an envelope `{request_id, lease_id, renewable,
 * lease_duration, data, wrap_info, warnings, auth}`; only the members used are checked, and unknown
 * fields are dropped (a newer Vault may add some). Nothing here keeps a token: lookup-self's `id` is
 * the token itself and is left out on purpose.
 */

/** Every status ≥ 400: `{"errors": ["…"]}` (a LIST with no results: `{"errors": []}`). */
export const ErrorBodySchema = z.object({ errors: z.array(z.string()) });

export const WarningsSchema = z.object({ warnings: z.array(z.string()).nullish() });

/** AppRole login: the token is `auth.client_token`, its TTL `auth.lease_duration` in seconds (0: none). */
export const LoginSchema = z.object({
  auth: z.object({
    client_token: z.string().min(1),
    lease_duration: z.number().int().nonnegative(),
    renewable: z.boolean().optional(),
    token_policies: z.array(z.string()).optional(),
  }),
});

/** `data` of lookup-self (the token's own `id` deliberately not read). */
export const LookupSelfSchema = z.object({
  data: z.object({
    ttl: z.number().int().nonnegative(),
    policies: z.array(z.string()),
    renewable: z.boolean().optional(),
    expire_time: z.string().nullish(),
    display_name: z.string().optional(),
  }),
});

export const VersionMetadataSchema = z.object({
  version: z.number().int().positive(),
  created_time: z.string(),
  deletion_time: z.string(),
  destroyed: z.boolean(),
  custom_metadata: z.record(z.string(), z.string()).nullish(),
});

/** A KV v2 write answers the new version's metadata (`data` null: a 200 that carries only warnings). */
export const KvWriteSchema = z.object({ data: VersionMetadataSchema.nullish() });

/** A KV v2 read: `data.data` the stored map (null for a deleted version), `data.metadata` its version. */
export const KvReadSchema = z.object({
  data: z.object({
    data: z.record(z.string(), z.unknown()).nullable(),
    metadata: VersionMetadataSchema,
  }),
});

export const KvMetadataSchema = z.object({
  data: z.object({
    current_version: z.number().int().nonnegative(),
    oldest_version: z.number().int().nonnegative(),
    max_versions: z.number().int().nonnegative(),
    cas_required: z.boolean(),
    created_time: z.string(),
    updated_time: z.string(),
    custom_metadata: z.record(z.string(), z.string()).nullish(),
    versions: z.record(
      z.string(),
      z.object({ created_time: z.string(), deletion_time: z.string(), destroyed: z.boolean() }),
    ),
  }),
});

/** Where a body failed its schema: member paths and issue codes only, never a value from the body. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path || '(body)'}: ${issue.code}`;
  });
  const more = error.issues.length > 3 ? ` and ${error.issues.length - 3} more` : '';
  return parts.join('; ') + more;
}

/** A 2xx answer's body through its schema; a body that does not fit is a `VaultInvalidResponseError`. */
export function readReply<T>(reply: VaultReply, schema: z.ZodType<T, unknown>): T {
  const parsed = schema.safeParse(reply.body);
  if (parsed.success) return parsed.data;
  const problem = reply.body === undefined ? 'the body is empty' : describeIssues(parsed.error);
  throw new VaultInvalidResponseError({ ...reply.site, status: reply.status }, problem);
}
