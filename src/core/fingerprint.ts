import { createHash } from 'node:crypto';
import { Secret } from './secret.js';

/**
 * A key secret's fingerprint: SHA-256 of the secret, base64 — the algorithm of ClickHouse's own
 * `hashData.keySecretHash` (product.md §3 rule 2). Computed in memory; only this goes to the store.
 */
export function fingerprint(secret: Secret | string): string {
  const value = secret instanceof Secret ? secret.reveal() : secret;
  return createHash('sha256').update(value, 'utf8').digest('base64');
}

/** The ClickHouse Cloud secret format, not inside a longer alphanumeric run. */
const CANDIDATE = /(?<![A-Za-z0-9])4b1d[A-Za-z0-9]{38}(?![A-Za-z0-9])/g;

/**
 * Strings in `text` that look like ClickHouse Cloud key secrets, each once. A cheap substring test
 * first: the common message without one costs a single scan.
 */
export function secretCandidates(text: string): string[] {
  if (!text.includes('4b1d')) return [];
  return [...new Set(text.match(CANDIDATE) ?? [])];
}
