import { type KeyObject, verify } from 'node:crypto';

/** The claims of an app JWT the fake accepted, kept in the request record for tests to check. */
export interface AppJwtClaims {
  iat: number;
  exp: number;
  iss: string;
}

export type JwtCheck = { ok: true; claims: AppJwtClaims } | { ok: false; message: string };

/** DOC-JWT: `exp` "no more than 10 minutes into the future". */
const MAX_LIFETIME_S = 600;

/**
 * Checks an app JWT as GitHub does (DOC-JWT): RS256, signed with the app's key, issued by the app (its
 * client ID or app ID), `iat` not in the future, `exp` in the future and at most 10 minutes ahead.
 * The messages are GitHub's kind of wording; the exact texts are not in the sources.
 */
export function checkAppJwt(
  token: string,
  publicKey: KeyObject,
  issuers: readonly string[],
  nowMs: number,
): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, message: 'A JSON web token could not be decoded' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodePart(headerPart);
  const payload = decodePart(payloadPart);
  if (header === null || payload === null)
    return { ok: false, message: 'A JSON web token could not be decoded' };
  if (header.alg !== 'RS256') return { ok: false, message: "'alg' must be RS256" };
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  if (!verify('RSA-SHA256', signed, publicKey, signature)) {
    return { ok: false, message: 'A JSON web token could not be decoded' };
  }
  const { iat, exp, iss } = payload;
  if (
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    (typeof iss !== 'string' && typeof iss !== 'number')
  ) {
    return { ok: false, message: "'iat', 'exp' and 'iss' claims are required" };
  }
  if (!issuers.includes(String(iss)))
    return { ok: false, message: "'Issuer' claim ('iss') must be the app's ID" };
  const now = Math.floor(nowMs / 1000);
  if (iat > now) {
    return {
      ok: false,
      message: "'Issued at' claim ('iat') must be an Integer representing a time in the past",
    };
  }
  if (exp <= now) {
    return {
      ok: false,
      message: "'Expiration time' claim ('exp') must be a numeric value representing the future time",
    };
  }
  if (exp > now + MAX_LIFETIME_S || exp - iat > MAX_LIFETIME_S) {
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  }
  return { ok: true, claims: { iat, exp, iss: String(iss) } };
}

function decodePart(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
