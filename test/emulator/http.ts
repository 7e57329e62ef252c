import { expect } from 'vitest';
import type { Emulator } from '../../dev/emulator/server.js';

/** Test-side HTTP for the emulator suites: plain `fetch`, never the project's client. */

export interface Credentials {
  keyId: string;
  keySecret: string;
}

/** The success and error envelopes, loosely: tests assert on the fields they care about. */
export interface Envelope<T> {
  status?: number;
  requestId?: string;
  result?: T;
  error?: string;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined when it is not JSON. */
  json: Envelope<T> | undefined;
}

export function basicAuth({ keyId, keySecret }: Credentials): string {
  return `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`;
}

export interface CallOptions {
  /** Default: the emulator's admin key; null sends no Authorization header. */
  as?: Credentials | null;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent verbatim, for malformed bodies. */
  raw?: string;
  signal?: AbortSignal;
}

export async function call<T = unknown>(
  emulator: Emulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer<T>> {
  const credentials = options.as === undefined ? emulator.adminKey : options.as;
  const headers: Record<string, string> = {};
  if (credentials) headers.authorization = basicAuth(credentials);
  let payload: string | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(payload !== undefined ? { body: payload } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let json: Envelope<T> | undefined;
  try {
    json = JSON.parse(text) as Envelope<T>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Paths under the emulator's organization. */
export function orgPath(emulator: Emulator, suffix = ''): string {
  return `/v1/organizations/${emulator.organizationId}${suffix}`;
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ERROR_CODES: Record<number, string> = { 400: 'BAD_REQUEST', 404: 'NOT_FOUND' };

/** An error in the spec's envelope: `{status, error: "<CODE>: …", requestId}`, the text matching `message`. */
export function expectRefusal(answer: Answer<unknown>, status: 400 | 404, message: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.json).toEqual({
    status,
    error: expect.stringMatching(new RegExp(`^${ERROR_CODES[status]}: `)),
    requestId: expect.stringMatching(UUID_V4),
  });
  expect(answer.json?.error).toMatch(message);
}
