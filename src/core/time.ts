import { parseDuration } from './duration.js';

export function addMs(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}

/**
 * The instant a key made at `createdAt` with the approved `expiry` stops working, or null for
 * `never`. N days means N × 24 h from creation, in UTC (product.md §1).
 */
export function expiryInstant(createdAt: Date, expiry: string): Date | null {
  const ms = parseDuration(expiry, { allowNever: true });
  return ms === null ? null : addMs(createdAt, ms);
}
