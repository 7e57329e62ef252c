import { KeyhouseError } from '../core/errors.js';

/**
 * An Actions secret's name, checked as GitHub's secrets reference says (DOC-SEC): letters, digits and `_`,
 * not starting with a digit nor with `GITHUB_`. Names are case-insensitive and GitHub stores them
 * upper-case, so the upper-case form is what is sent: the path names the secret GitHub will list. What
 * the API answers for a bad name is UNCERTAIN (probably 422), so a bad name never leaves this process.
 */
export function checkSecretName(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new KeyhouseError(
      'invalid_input',
      'an Actions secret name may hold only letters, digits and _, and must not start with a digit',
    );
  }
  const upper = name.toUpperCase();
  if (upper.startsWith('GITHUB_')) {
    throw new KeyhouseError('invalid_input', 'an Actions secret name must not start with GITHUB_');
  }
  return upper;
}

/** DOC-SEC: "secrets are limited to 48 KB in size". */
export const MAX_SECRET_VALUE_BYTES = 48 * 1024;

/** Throws `invalid_input` for a value over the limit; the message gives its size, never its content. */
export function checkSecretValueSize(bytes: number): void {
  if (bytes > MAX_SECRET_VALUE_BYTES) {
    throw new KeyhouseError(
      'invalid_input',
      `an Actions secret value may be at most ${MAX_SECRET_VALUE_BYTES} bytes (this one is ${bytes})`,
    );
  }
}
