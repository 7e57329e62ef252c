import type { Secret } from '../core/secret.js';

/** A decoded Actions public key is an X25519 key: 32 bytes. */
export class PublicKeyFormatError extends Error {
  override readonly name = 'PublicKeyFormatError';
}

/**
 * `encrypted_value` for an Actions secret, as DOC-ENC does it: the public key decoded from standard
 * base64, the UTF-8 secret sealed in libsodium's anonymous box (`crypto_box_seal`), the box encoded as
 * padded standard base64 (GH-SUB's pattern for `encrypted_value`). Only GitHub can open it.
 */
export async function sealSecret(value: Secret, publicKeyBase64: string): Promise<string> {
  // Loaded on the first delivery, not at start: libsodium's module and its WebAssembly cost about
  // 12 MiB of RSS, which a Keyhouse without GitHub destinations should not carry (BENCHMARKS.md).
  const { default: sodium } = await import('libsodium-wrappers');
  await sodium.ready;
  let publicKey: Uint8Array;
  try {
    publicKey = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  } catch {
    throw new PublicKeyFormatError('the public key is not standard base64');
  }
  if (publicKey.length !== sodium.crypto_box_PUBLICKEYBYTES) {
    throw new PublicKeyFormatError(`the public key is ${publicKey.length} bytes, not 32`);
  }
  const plaintext = sodium.from_string(value.reveal());
  try {
    return sodium.to_base64(sodium.crypto_box_seal(plaintext, publicKey), sodium.base64_variants.ORIGINAL);
  } finally {
    sodium.memzero(plaintext);
  }
}
