/** The operations the fake answers: Vault's `operationId`s, and `kv-v2-list`, which the description lacks. */
export type FakeVaultOperation =
  | 'app-role-login'
  | 'token-look-up-self'
  | 'kv-v2-write'
  | 'kv-v2-read'
  | 'kv-v2-read-metadata'
  | 'kv-v2-write-metadata'
  | 'kv-v2-list';

/** How an answer goes wrong after the request was carried out (a write did write). */
export type AfterMode = 500 | 502 | 'drop' | 'hang';

/** One planned misbehaviour, used up by one request to its operation. */
export type Fault =
  /** Refused before anything is done: the status with `{"errors": messages}`. */
  | { kind: 'status'; status: number; messages: string[]; retryAfterSeconds: number | null }
  /** Carried out, answered after `ms` of real time. */
  | { kind: 'slow'; ms: number }
  /** Carried out, then a 5xx, the socket destroyed, or no answer until the client goes away. */
  | { kind: 'after'; mode: AfterMode };

/** What Vault says with each status when a test does not say otherwise (github-and-vault.md §9). */
export const DEFAULT_MESSAGES: Readonly<Record<number, string[]>> = {
  412: ['required index state not present'],
  429: ['rate limit quota exceeded'],
  500: ['internal error'],
  502: ['error from an upstream service'],
  503: ['Vault is sealed'],
};
