/**
 * What the local fakes (the ClickHouse emulator, the fake GitHub, the fake Vault) share of serving HTTP
 * on loopback: reading a body with a cap and keeping it for the request record, answering with the
 * fake's own bug as a 500, planned faults in order, withholding an answer, and listening with a close
 * that drops whatever is still open.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_BODY_BYTES = 1024 * 1024;

/** A request's body as text; past 1 MiB the rest is read and dropped, and `tooLarge` says so. */
export interface CappedBody {
  text: string;
  tooLarge: boolean;
}

function readCappedBody(req: IncomingMessage): Promise<CappedBody> {
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

/** What a fake records of its answer, as far as this kit fills it in. */
export interface AnswerRecord {
  status: number;
  response: unknown;
}

/** How a fake serves one request (`serveRecorded`). */
export interface Serving<Record extends AnswerRecord> {
  /** Makes the request's record, before its body is read, and keeps it (the fake's `requests`). */
  record(req: IncomingMessage): Record;
  /** Decides, records and sends the answer; `body` is the request's, capped. */
  answer(req: IncomingMessage, res: ServerResponse, record: Record, body: CappedBody): Promise<void>;
  /** The JSON body of the 500 that reports the fake's own bug. */
  bugBody(message: string): unknown;
  /** Told once the request is over, answered or not (for a debug line). */
  served(record: Record): void;
}

/**
 * A fake's `createServer` listener: records the request, reads its body, and lets the fake answer. An
 * error other than the client going away or the fake closing (`closing`, which ends held answers and
 * delays) is the fake's own bug: answered 500 with `bugBody(message)`, and recorded.
 */
export function serveRecorded<Record extends AnswerRecord>(
  closing: AbortSignal,
  serving: Serving<Record>,
): (req: IncomingMessage, res: ServerResponse) => void {
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record = serving.record(req);
    try {
      await serving.answer(req, res, record, await readCappedBody(req));
    } catch (error) {
      if (!closing.aborted && !res.headersSent && !res.destroyed) {
        const body = serving.bugBody((error as Error).message);
        record.status = 500;
        record.response = body;
        sendJson(res, 500, body);
      } else {
        res.destroy();
      }
    }
    serving.served(record);
  }
  return (req, res) => void serve(req, res);
}

/** Sends `body` as JSON with its length (`contentType` as the service names it), or no body when it is undefined. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

/**
 * Sends no answer: `drop` destroys the socket at once; `hang` waits until the client goes away or the
 * server closes (`closing`), then destroys it.
 */
export async function withholdAnswer(
  mode: 'drop' | 'hang',
  req: IncomingMessage,
  closing: AbortSignal,
): Promise<void> {
  if (mode === 'hang') await holdUntilGone(req, closing);
  req.socket.destroy();
}

async function holdUntilGone(req: IncomingMessage, closing: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    if (closing.aborted || req.socket.destroyed) return resolve();
    closing.addEventListener('abort', () => resolve(), { once: true });
    req.socket.once('close', () => resolve());
  });
}

export interface Listening {
  /** `http://host:port`. */
  url: string;
  /** Aborts `closing` (ending held requests and delays), stops listening and drops open connections; once. */
  close(): Promise<void>;
}

/** Listens on `host:port` (port 0: any free one) and resolves once it does. */
export async function listen(
  server: Server,
  host: string,
  port: number,
  closing: AbortController,
): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** FIFO queues of planned faults per key (a route, an operation), so a test can line several up in order. */
export class FaultQueues<Key, Fault> {
  readonly #queues = new Map<Key, Fault[]>();

  add(key: Key, fault: Fault, count: number): void {
    if (!Number.isInteger(count) || count < 0)
      throw new RangeError(`count must be a whole number, got ${count}`);
    const queue = this.#queues.get(key) ?? [];
    for (let i = 0; i < count; i++) queue.push(fault);
    this.#queues.set(key, queue);
  }

  peek(key: Key): Fault | undefined {
    return this.#queues.get(key)?.[0];
  }

  take(key: Key): Fault | undefined {
    return this.#queues.get(key)?.shift();
  }

  /** Forgets every fault still queued. */
  clear(): void {
    this.#queues.clear();
  }
}
