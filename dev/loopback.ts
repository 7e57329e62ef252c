/**
 * What the local fakes (dev/emulator, dev/fake-github) share as HTTP servers on loopback: reading a
 * bounded body, keeping it for the request record, listening, hanging on purpose, and closing once.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_BODY_BYTES = 1024 * 1024;

/** The body as text; past 1 MiB the rest is read and dropped, and `tooLarge` says so. */
export function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES }),
    );
    req.on('error', reject);
  });
}

/** Parsed JSON for the record, the raw text when it is not JSON, `undefined` when empty. */
export function parseForRecord(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Listens on `host` (`port` 0: an ephemeral one) and resolves with the origin, e.g. `http://127.0.0.1:43123`. */
export async function listenOn(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/**
 * Acts out a fault that answers nothing: `drop` destroys the socket at once; `hang` waits until the
 * client goes away or the fake closes, then drops it.
 */
export async function answerNothing(
  kind: 'drop' | 'hang',
  req: IncomingMessage,
  closing: AbortSignal,
): Promise<void> {
  if (kind === 'hang') {
    await new Promise<void>((resolve) => {
      if (closing.aborted || req.socket.destroyed) return resolve();
      closing.addEventListener('abort', () => resolve(), { once: true });
      req.socket.once('close', () => resolve());
    });
  }
  req.socket.destroy();
}

/** `close()` for a fake: aborts its pending delays, stops listening and drops open connections, once. */
export function closer(server: Server, closing: AbortController): () => Promise<void> {
  let closed: Promise<void> | null = null;
  return () => {
    closed ??= new Promise<void>((resolve) => {
      closing.abort();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
}

/** What a fake records of a request that this module fills in. */
export interface BodyAndAnswer {
  body: unknown;
  status: number;
  response: unknown;
}

/**
 * Reads the request's body into `record`, then lets `answer` reply. An error other than the client going
 * away or the fake closing is the fake's own bug: answered 500 with `bugBody(message)`, and recorded.
 */
export async function answerRecorded(
  req: IncomingMessage,
  res: ServerResponse,
  closing: AbortSignal,
  record: BodyAndAnswer,
  answer: (raw: { text: string; tooLarge: boolean }) => Promise<void>,
  bugBody: (message: string) => unknown,
): Promise<void> {
  try {
    const raw = await readBody(req);
    record.body = parseForRecord(raw.text);
    await answer(raw);
  } catch (error) {
    if (!closing.aborted && !res.headersSent && !res.destroyed) {
      const body = bugBody((error as Error).message);
      record.status = 500;
      record.response = body;
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } else {
      res.destroy();
    }
  }
}
