import { z } from 'zod';
import { GitHubInvalidResponseError } from './errors.js';
import type { GitHubResponse } from './transport.js';

/*
 * The parts of GitHub's answers this client uses (GH-SUB components). Each schema asks for what the
 * operation truly needs and lets the rest pass: GitHub adds fields over time, and the alert schemas mark
 * no field required at all (github-and-vault.md §6), so absent optional fields become null.
 */

/** `installation`: only its id is used. */
export const InstallationSchema = z.object({ id: z.number().int().positive() });

/** `installation-token`: `token` and `expires_at` are the two required fields. */
export const InstallationTokenSchema = z.object({
  token: z.string().min(1),
  expires_at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'not a date-time'),
});

/** `actions-public-key`: `key_id` and `key` (base64) are required. */
export const PublicKeySchema = z.object({ key_id: z.string().min(1), key: z.string().min(1) });

/** `actions-secret`: metadata only; GitHub never returns a secret's value. */
export const SecretMetadataSchema = z
  .object({ name: z.string(), created_at: z.string(), updated_at: z.string() })
  .transform((raw) => ({ name: raw.name, createdAt: raw.created_at, updatedAt: raw.updated_at }));
export type SecretMetadata = z.output<typeof SecretMetadataSchema>;

const text = z
  .string()
  .nullish()
  .transform((value) => value ?? null);

/**
 * `secret-scanning-alert-with-metadata`, tolerant of absent fields. `secret` stays a plain string here;
 * the client wraps it in a `Secret` before anything else sees it.
 */
export const AlertSchema = z.object({
  number: z.number().int().positive(),
  state: z
    .enum(['open', 'resolved'])
    .nullish()
    .transform((value) => value ?? null),
  resolution: text,
  resolution_comment: text,
  secret_type: text,
  secret_type_display_name: text,
  secret: z.string().nullish(),
  html_url: text,
  created_at: text,
  validity: text,
});
export type RawAlert = z.output<typeof AlertSchema>;

/**
 * `secret-scanning-location`: `{type, details}`. Commit and wiki-commit details carry a file path and a
 * commit; the other kinds (issue, pull request, discussion) carry URLs of where the text is.
 */
export const LocationSchema = z.object({
  type: z.string().min(1),
  details: z.record(z.string(), z.unknown()).nullish(),
});
export const LocationsSchema = z.array(LocationSchema);
export type RawLocation = z.output<typeof LocationSchema>;

/** Issue paths of a failed parse, without the values (an alert body holds the leaked secret). */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const path = ['body', ...issue.path.map(String)].join('.');
    return `${path}: ${issue.code}`;
  });
  const more = error.issues.length > 3 ? ` and ${error.issues.length - 3} more` : '';
  return parts.join('; ') + more;
}

/** The body of a 2xx answer through its schema; a mismatch is a GitHubInvalidResponseError naming paths only. */
export function parseBody<T>(response: GitHubResponse, schema: z.ZodType<T, unknown>): T {
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) {
    const { status, requestId, method, route } = response;
    throw new GitHubInvalidResponseError({ status, requestId, method, route }, describeIssues(parsed.error));
  }
  return parsed.data;
}
