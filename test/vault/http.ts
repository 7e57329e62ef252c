import type { FakeVault } from '../../dev/fake-vault/server.js';

/** Test-side HTTP for the fake Vault: plain `fetch`, never the project's client. */

export interface VaultAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  json: Record<string, unknown> | undefined;
}

export interface RawCallOptions {
  token?: string;
  /** Sent as `X-Vault-Namespace`; default the fake's own. null sends none. */
  namespace?: string | null;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent verbatim. */
  raw?: string;
}

export async function raw(
  fake: FakeVault,
  method: string,
  path: string,
  options: RawCallOptions = {},
): Promise<VaultAnswer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['x-vault-token'] = options.token;
  const namespace = options.namespace === undefined ? fake.namespace : options.namespace;
  if (namespace !== null) headers['x-vault-namespace'] = namespace;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await response.text();
  const json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  return { status: response.status, headers: response.headers, json };
}

/** Logs in with Keyhouse's AppRole pair (or another) and returns the token. */
export async function loginToken(
  fake: FakeVault,
  pair: { roleId: string; secretId: string } = fake,
): Promise<string> {
  const answer = await raw(fake, 'POST', '/v1/auth/approle/login', {
    body: { role_id: pair.roleId, secret_id: pair.secretId },
  });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status}`);
  return (answer.json!.auth as { client_token: string }).client_token;
}
