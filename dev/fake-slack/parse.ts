import type { IncomingMessage } from 'node:http';

export type Json = Record<string, unknown>;

/** Arguments web-api 8 JSON-encodes inside the form because they are not strings. */
const JSON_FIELDS = {
  blocks: 'invalid_blocks_format',
  attachments: 'invalid_attachments',
  view: 'invalid_arguments',
  metadata: 'invalid_metadata_format',
} as const;

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export type ParsedArgs = { ok: true; args: Json } | { ok: false; args: Json; error: string };

/**
 * Web API arguments as Slack reads them: a form body (what the WebClient sends), a JSON body, or the query
 * string; JSON-encoded fields are decoded so recorded calls hold real objects.
 */
export function parseApiArgs(
  contentType: string | undefined,
  raw: string,
  query: URLSearchParams,
): ParsedArgs {
  const args: Json = Object.fromEntries(query);
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length > 0) {
    if (type === 'application/x-www-form-urlencoded') {
      Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
    } else if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { ok: false, args: { _raw: raw }, error: 'invalid_json' };
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return { ok: false, args: { _raw: raw }, error: 'invalid_json' };
      }
      Object.assign(args, parsed);
    } else {
      return { ok: false, args: { _raw: raw }, error: 'invalid_form_data' };
    }
  }
  for (const [field, error] of Object.entries(JSON_FIELDS)) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      return { ok: false, args, error };
    }
  }
  return { ok: true, args };
}

/** The bearer token from the header, or the `token` argument Slack also accepts. */
export function tokenOf(request: IncomingMessage, args: Json): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    return match?.[1] ?? null;
  }
  return typeof args.token === 'string' && args.token.length > 0 ? args.token : null;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
