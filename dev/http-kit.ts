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

/**
 * Reads the request's body, then lets `answer` record and send the reply. An error other than the client
 * going away or the fake closing (`closing`, which ends held answers and delays) is the fake's own bug:
 * answered 500 with `bugBody(message)`, and recorded.
 */
export async function answerRecorded(
  req: IncomingMessage,
  res: ServerResponse,
  closing: AbortSignal,
  record: AnswerRecord,
  answer: (body: CappedBody) => Promise<void>,
  bugBody: (message: string) => unknown,
): Promise<void> {
  try {
    await answer(await readCappedBody(req));
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
}
