import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'undici';
import { type AlertRecord, simpleUser, type UserLike, webhookAlert, webhookRepository } from './payloads.js';
import type { Repository } from './state.js';

export interface AlertWebhookOptions {
  /** The `action` (GH-HOOK variants); default `created`. */
  action?: 'created' | 'reopened' | 'resolved' | 'validated' | 'publicly_leaked';
  /** `X-GitHub-Delivery`; default a fresh GUID. Reuse one to replay a delivery. */
  deliveryId?: string;
  /** Sign with this secret instead (a forged delivery), or `false` to send no signature headers. */
  signWith?: string | false;
}

/** A delivery as sent: what a receiver got, and what it answered. */
export interface WebhookDelivery {
  deliveryId: string;
  event: 'secret_scanning_alert';
  /** The exact bytes sent and signed. */
  rawBody: string;
  headers: Record<string, string>;
}

export interface SentWebhook extends WebhookDelivery {
  url: string;
  /** Parsed `rawBody`, for the schema check. */
  payload: unknown;
  /** The receiver's status, and its body as text. */
  status: number;
  responseBody: string;
}

export interface AlertWebhookInput {
  url: string;
  webhookSecret: string;
  apiUrl: string;
  app: { id: number };
  installationId: number | null;
  repository: Repository;
  alert: AlertRecord;
  sender: UserLike;
  options: AlertWebhookOptions;
}

/**
 * `X-Hub-Signature-256`: `sha256=` and the lowercase hex HMAC-SHA256 of the raw body with the webhook's
 * secret (DOC-SIG); the legacy `X-Hub-Signature` is the same with SHA-1.
 */
export function signatures(secret: string, rawBody: string): Record<string, string> {
  return {
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
    'x-hub-signature': `sha1=${createHmac('sha1', secret).update(rawBody).digest('hex')}`,
  };
}

/** The payload of a `secret_scanning_alert` delivery (GH-HOOK): the webhook alert, its repository, the installation. */
export function alertPayload(
  input: Omit<AlertWebhookInput, 'url' | 'webhookSecret'>,
): Record<string, unknown> {
  const { apiUrl, repository, alert } = input;
  return {
    action: input.options.action ?? 'created',
    alert: webhookAlert(apiUrl, repository.fullName, alert),
    repository: webhookRepository(apiUrl, repository),
    ...(input.installationId === null
      ? {}
      : {
          installation: {
            id: input.installationId,
            node_id: Buffer.from(`I_${input.installationId}`).toString('base64'),
          },
        }),
    sender: simpleUser(apiUrl, input.sender),
  };
}

/** Posts one signed delivery with the headers GitHub sends (DOC-HDR, GH-DESC) and waits for the answer. */
export async function sendAlertWebhook(input: AlertWebhookInput): Promise<SentWebhook> {
  const payload = alertPayload(input);
  const rawBody = JSON.stringify(payload);
  const deliveryId = input.options.deliveryId ?? randomUUID();
  const signWith = input.options.signWith ?? input.webhookSecret;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/fake',
    'x-github-event': 'secret_scanning_alert',
    'x-github-delivery': deliveryId,
    'x-github-hook-id': String(input.app.id * 7),
    'x-github-hook-installation-target-type': 'integration',
    'x-github-hook-installation-target-id': String(input.app.id),
    ...(signWith === false ? {} : signatures(signWith, rawBody)),
  };
  const response = await request(input.url, { method: 'POST', headers, body: rawBody });
  const responseBody = await response.body.text();
  return {
    url: input.url,
    deliveryId,
    event: 'secret_scanning_alert',
    rawBody,
    headers,
    payload,
    status: response.statusCode,
    responseBody,
  };
}
