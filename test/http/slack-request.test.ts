import { createHmac } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSlackRequest, type EdgeVerdict, MAX_BODY_BYTES } from '../../src/http/slack-request.js';

const SECRET = 'edge-test-signing-secret';
const NOW = 1_800_000_000;

function sign(body: string, stamp = NOW): Record<string, string> {
  const digest = createHmac('sha256', SECRET).update(`v0:${stamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(stamp), 'x-slack-signature': `v0=${digest}` };
}

/** A loopback server whose every request is judged by the edge check; verdicts arrive in order. */
async function edge(): Promise<{ server: Server; url: string; verdicts: Promise<EdgeVerdict | Error>[] }> {
  const verdicts: Promise<EdgeVerdict | Error>[] = [];
  const server = createServer((req, res) => {
    const verdict = checkSlackRequest(req, NOW, SECRET).catch((error: Error) => error);
    verdicts.push(verdict);
    void verdict.then((v) => {
      if (!res.destroyed) res.writeHead(v instanceof Error ? 400 : v.ok ? 200 : v.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, verdicts };
}

/** Sends `chunks` one by one, then ends the request or leaves it open. */
function send(
  url: string,
  headers: Record<string, string>,
  chunks: string[],
  finish: 'end' | 'open',
): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('error', () => resolve(null));
    for (const chunk of chunks) req.write(chunk);
    if (finish === 'end') req.end();
  });
}

describe('the edge check reads the body once, whole, and no more than it must', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('accepts a signed body sent in several chunks and hands it over whole', async () => {
    const e = await edge();
    server = e.server;
    const body = JSON.stringify({
      type: 'event_callback',
      event: { type: 'app_home_opened' },
      pad: 'x'.repeat(70_000),
    });
    const parts = [body.slice(0, 10), body.slice(10, 40_000), body.slice(40_000)];
    expect(await send(e.url, sign(body), parts, 'end')).toBe(200);
    const verdict = await e.verdicts[0];
    expect(verdict).toMatchObject({ ok: true });
    expect((verdict as { body: Buffer }).body.toString('utf8')).toBe(body);
  });

  it('refuses a body over the limit with 413 without waiting for the rest', async () => {
    const e = await edge();
    server = e.server;
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = Array.from({ length: Math.ceil(MAX_BODY_BYTES / chunk.length) + 1 }, () => chunk);
    // The request is never ended: the verdict cannot have waited for its end.
    const status = send(e.url, sign('whatever'), chunks, 'open');
    await expect.poll(() => e.verdicts.length, { timeout: 30_000 }).toBe(1);
    expect(await e.verdicts[0]).toEqual({ ok: false, status: 413, why: 'body too large' });
    expect(await status).toBe(413);
  });

  it('a sender that hangs up mid-body leaves a settled refusal, not a pending read', async () => {
    const e = await edge();
    server = e.server;
    const req = request(e.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign('{"a":1}') },
    });
    req.on('error', () => undefined);
    req.write('{"a":');
    // Cut off only once the server is reading this request.
    await expect.poll(() => e.verdicts.length, { timeout: 30_000 }).toBe(1);
    req.destroy();
    expect(await e.verdicts[0]).toBeInstanceOf(Error);
  });

  it('refuses a wrong signature with 401', async () => {
    const e = await edge();
    server = e.server;
    expect(await send(e.url, sign('{"a":2}'), ['{"a":1}'], 'end')).toBe(401);
  });
});
