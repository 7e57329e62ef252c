import type { IpAccessEntry } from '../core/clickhouse.js';
import type { Problem } from '../core/outcomes.js';

export type { IpAccessEntry };

/** At most this many entries in one list (the modal field and the policy's default). */
export const MAX_IP_ENTRIES = 50;
/** Longest description accepted for one entry. */
export const MAX_IP_DESCRIPTION = 100;

// Strict dotted quad: decimal octets 0-255 without leading zeros, because some parsers read
// `010` as octal and the key would then allow a different address than the user meant.
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4_OR_CIDR = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}(?:/(?:3[0-2]|[12]\\d|\\d))?$`);

/**
 * True for an IPv4 address (`10.1.2.3`) or IPv4 CIDR block (`10.0.0.0/8`, prefix 0–32).
 * IPv6 is refused: the ClickHouse API documents IPv4 only.
 */
export function isIpv4OrCidr(source: string): boolean {
  return IPV4_OR_CIDR.test(source);
}

/**
 * Parses the modal's IP access list field: one `<IPv4 or CIDR> [description]` per line, blank
 * lines ignored. Empty text gives no entries (the caller then uses the policy's default list;
 * an empty list must never reach ClickHouse, where it makes a key usable from nowhere).
 * The error names the offending line by its number in the text, as the user sees it.
 */
export function parseIpAccessList(text: string): { entries: IpAccessEntry[] } | { problem: Problem } {
  const entries: IpAccessEntry[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const number = index + 1;
    const space = line.search(/\s/);
    const source = space === -1 ? line : line.slice(0, space);
    const description = space === -1 ? '' : line.slice(space).trim();
    if (!isIpv4OrCidr(source)) {
      return { problem: { code: 'ip_invalid', line: number, source: clip(source) } };
    }
    if (description.length > MAX_IP_DESCRIPTION) {
      return { problem: { code: 'ip_description_too_long', line: number, max: MAX_IP_DESCRIPTION } };
    }
    if (entries.length === MAX_IP_ENTRIES) {
      return { problem: { code: 'ip_too_many', line: number, max: MAX_IP_ENTRIES } };
    }
    entries.push(description === '' ? { source } : { source, description });
  }
  return { entries };
}

/** Keeps an echoed value short enough for a modal error. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
