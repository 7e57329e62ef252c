import { createHash, randomInt } from 'node:crypto';
import { isIP } from 'node:net';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/**
 * The Basic-auth key ID. The real format is not specified (TF shows a 17-character example "for example
 * only"); 20 uppercase alphanumerics is the plausible shape, and nothing may depend on more than that.
 */
export function generateKeyId(): string {
  return randomString(UPPER_ALNUM, 20);
}

/** The key secret: `4b1d` and 38 alphanumerics, 42 characters like the TF example pair. */
export function generateKeySecret(): string {
  return `4b1d${randomString(ALNUM, 38)}`;
}

/**
 * SHA-256 of the raw value, base64: the algorithm the spec documents for `hashData`. The emulator keeps
 * only these hashes, for generated credentials too, so its state never holds a usable secret.
 */
export function hashCredential(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64');
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** `10.0.0.1`, `10.0.0.0/8`, `::1`, `2001:db8::/32`. */
export function isIpOrCidr(source: string): boolean {
  const [address = '', prefix, ...rest] = source.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

/**
 * Whether `client` (the socket's remote address) is covered by an access-list `source`. IPv4 is matched by
 * prefix; IPv6 sources only by `::/0` or exact text, enough for a loopback emulator.
 */
export function ipAllowed(client: string, source: string): boolean {
  const address = client.startsWith('::ffff:') ? client.slice('::ffff:'.length) : client;
  const [base = '', prefixText] = source.split('/');
  if (isIP(address) === 4 && isIP(base) === 4) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (prefix === 0) return true;
    const shift = 32 - prefix;
    return Math.floor(ipv4ToInt(address) / 2 ** shift) === Math.floor(ipv4ToInt(base) / 2 ** shift);
  }
  if (isIP(address) === 6 && isIP(base) === 6)
    return (base === '::' && prefixText === '0') || base === address;
  return false;
}
