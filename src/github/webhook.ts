import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Secret } from '../core/secret.js';

/**
 * Whether `X-Hub-Signature-256` is GitHub's signature of `rawBody` with the webhook secret (DOC-SIG):
 * `sha256=` and the lowercase hex HMAC-SHA256 of the bytes received (never of re-serialised JSON),
 * compared in constant time. A missing, malformed or wrong header is false. The signature covers no
 * timestamp, so a valid delivery can be replayed: callers drop repeated `X-GitHub-Delivery` ids and
 * treat an event as a prompt to re-read the alert.
 */
export function verifyWebhookSignature(
  webhookSecret: Secret,
  rawBody: Buffer | string,
  signatureHeader: string | undefined,
): boolean {
  if (typeof signatureHeader !== 'string') return false;
  const match = /^sha256=([0-9a-f]{64})$/.exec(signatureHeader.trim());
  if (match === null) return false;
  const expected = createHmac('sha256', webhookSecret.reveal()).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'));
}

/**
 * The fields of a `secret_scanning_alert` delivery Keyhouse acts on (GH-HOOK): which alert, in which
 * repository, through which installation. The webhook's alert has no `secret` and no `state`: read the
 * alert through the REST API for those.
 */
export const SecretScanningAlertEventSchema = z.object({
  action: z.string().min(1),
  alert: z.object({ number: z.number().int().positive(), secret_type: z.string().max(500).nullish() }),
  repository: z.object({ full_name: z.string().min(3) }),
  installation: z.object({ id: z.number().int().positive() }).optional(),
});
export type SecretScanningAlertEvent = z.output<typeof SecretScanningAlertEventSchema>;
