/** Error codes that prove a request never left, so even a write may be sent again. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * What a request that got no answer may say about it: the cause's code or class, never its message
 * (some dispatchers, undici's mocks among them, quote the request's headers there, credentials and all),
 * and whether the server may have received it.
 */
export function describeRequestFailure(cause: unknown): { label: string; mayHaveBeenSent: boolean } {
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const label = typeof code === 'string' ? code : cause instanceof Error ? cause.name : 'unknown error';
  return { label, mayHaveBeenSent: !(typeof code === 'string' && NOT_SENT_CODES.has(code)) };
}
