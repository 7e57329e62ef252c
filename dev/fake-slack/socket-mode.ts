/**
 * The Socket Mode side of the fake Slack: WebSocket connections for the URLs `apps.connections.open` hands out,
 * Slack's `hello` / `disconnect` messages, envelopes and their acks (slack-platform.md §6).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { isObject } from './parse.js';
import type { SlackRequestBody } from './slack-http.js';

export type SocketEnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

/** One envelope as Slack writes it on the socket. */
export interface SocketEnvelope {
  envelope_id: string;
  type: SocketEnvelopeType;
  payload: object;
  /** True for commands and interactions: their ack's `payload` is the answer (a message, `response_action`). */
  accepts_response_payload: boolean;
  /** Events API only, as on Slack: 0 for a first delivery. */
  retry_attempt?: number;
  /** Events API only: '' for a first delivery, `timeout` for a redelivery. */
  retry_reason?: string;
}

export interface SocketEnvelopeRecord {
  seq: number;
  /** The connection it went to: the `<n>` of `/socket/<n>`. */
  connection: number;
  envelope: SocketEnvelope;
  /** Clock time of sending, in ms. */
  at: number;
}

/** Anything a client wrote on its socket; a well-formed ack is `{ envelope_id, payload? }`. */
export interface SocketAckRecord {
  seq: number;
  connection: number;
  /** Null when the message was not JSON or named no envelope. */
  envelopeId: string | null;
  /** The ack's `payload` (undefined when absent), or the raw text of a message that was not JSON. */
  payload: unknown;
  at: number;
}

export interface SocketEnvelopeResult {
  /** The ack's `payload`; null when the ack carried none or an empty object (what a bare `ack()` sends). */
  ack: unknown;
  /** Wall time from sending the envelope to receiving its ack. */
  ms: number;
  envelopeId: string;
}

export interface SocketModeServerOptions {
  appId: string;
  /** The shared sequence that also numbers Web API calls and response-URL posts. */
  nextSeq: () => number;
  /** Clock time in ms, for the records. */
  now: () => number;
}

interface Connection {
  id: number;
  socket: WebSocket;
  /** Told to `disconnect`: no longer counted or routed to while the client closes it. */
  draining: boolean;
}

interface PendingAck {
  connection: number;
  started: number;
  timer: NodeJS.Timeout;
  resolve: (result: SocketEnvelopeResult) => void;
  reject: (error: Error) => void;
}

const SOCKET_PATH = /^\/socket\/(\d+)$/;
const DEFAULT_ACK_TIMEOUT_MS = 3000;

/** The envelope Slack would send for what it would otherwise POST to the app's Request URL. */
export function envelopeFor(body: SlackRequestBody, retryAttempt?: number): SocketEnvelope {
  const envelope_id = randomUUID();
  if (body.kind !== 'event') {
    if (retryAttempt !== undefined) {
      throw new Error(
        'fake-slack: only Events API envelopes are redelivered (retryAttempt is for kind event)',
      );
    }
    return body.kind === 'command'
      ? { envelope_id, type: 'slash_commands', payload: { ...body.fields }, accepts_response_payload: true }
      : { envelope_id, type: 'interactive', payload: body.payload, accepts_response_payload: true };
  }
  const attempt = retryAttempt ?? 0;
  return {
    envelope_id,
    type: 'events_api',
    payload: body.payload,
    accepts_response_payload: false,
    retry_attempt: attempt,
    retry_reason: attempt > 0 ? 'timeout' : '',
  };
}

/** Refuses a WebSocket upgrade with a plain HTTP answer, as Slack does for a bad or reused ticket. */
function refuseUpgrade(socket: Duplex, status: 401 | 404, reason: string): void {
  const text = status === 401 ? 'Unauthorized' : 'Not Found';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/** Ticketed WebSocket connections, envelope delivery with ack tracking, and Slack's lifecycle messages. */
export class SocketModeServer {
  readonly envelopes: SocketEnvelopeRecord[] = [];
  readonly acks: SocketAckRecord[] = [];
  readonly #options: SocketModeServerOptions;
  readonly #wss = new WebSocketServer({ noServer: true });
  /** Ticket numbers handed out by `apps.connections.open` and not yet used; each connects once. */
  readonly #tickets = new Set<number>();
  readonly #connections: Connection[] = [];
  readonly #pending = new Map<string, PendingAck>();
  #lastTicket = 0;
  #nextRoute = 0;

  constructor(options: SocketModeServerOptions) {
    this.#options = options;
  }

  /** A fresh single-use `ws://…/socket/<n>` under `baseUrl` (the fake's `http://` origin). */
  issueUrl(baseUrl: string): string {
    this.#lastTicket += 1;
    this.#tickets.add(this.#lastTicket);
    return `${baseUrl.replace(/^http/, 'ws')}/socket/${this.#lastTicket}`;
  }

  /** For the HTTP server's `upgrade` event: accepts `/socket/<n>` for an unused ticket, refuses anything else. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://fake-slack').pathname;
    const ticket = Number(SOCKET_PATH.exec(path)?.[1] ?? Number.NaN);
    if (!Number.isInteger(ticket) || ticket < 1 || ticket > this.#lastTicket) {
      refuseUpgrade(socket, 404, 'no such Socket Mode URL');
      return;
    }
    if (!this.#tickets.delete(ticket)) {
      refuseUpgrade(socket, 401, 'Socket Mode URL already used; call apps.connections.open again');
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ticket, ws));
  }

  /** Connected clients that have not been told to disconnect. */
  live(): number {
    return this.#routable().length;
  }

  async waitFor(n: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.live() < n) {
      if (Date.now() >= deadline) {
        throw new Error(
          `fake-slack: ${this.live()} Socket Mode connection(s) after ${timeoutMs} ms, wanted ${n}`,
        );
      }
      await sleep(10);
    }
  }

  async send(
    body: SlackRequestBody,
    options: { timeoutMs?: number; retryAttempt?: number } = {},
  ): Promise<SocketEnvelopeResult> {
    const envelope = envelopeFor(body, options.retryAttempt);
    const routable = this.#routable();
    if (routable.length === 0) throw new Error('fake-slack: no Socket Mode client is connected');
    // Round robin, as Slack spreads envelopes over an app's connections.
    const connection = routable[this.#nextRoute % routable.length] as Connection;
    this.#nextRoute += 1;
    const timeoutMs = options.timeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    const id = envelope.envelope_id;
    return new Promise<SocketEnvelopeResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new Error(`fake-slack: envelope ${id} (${envelope.type}) was not acked within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.#pending.set(id, {
        connection: connection.id,
        started: performance.now(),
        timer,
        resolve,
        reject,
      });
      this.envelopes.push({
        seq: this.#options.nextSeq(),
        connection: connection.id,
        envelope: structuredClone(envelope),
        at: this.#options.now(),
      });
      connection.socket.send(JSON.stringify(envelope));
    });
  }

  /** Sends Slack's `disconnect` to every client; they stop counting and get no more envelopes. */
  disconnectAll(reason: string): void {
    for (const connection of this.#routable()) {
      connection.draining = true;
      connection.socket.send(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }),
      );
    }
  }

  /** Forgets envelopes and acks; connections, tickets and acks still awaited are kept. */
  reset(): void {
    this.envelopes.length = 0;
    this.acks.length = 0;
  }

  /** Terminates every socket and fails every ack still awaited. */
  async close(): Promise<void> {
    for (const connection of this.#connections) connection.socket.terminate();
    this.#failPending(() => true, 'the fake Slack closed');
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #routable(): Connection[] {
    return this.#connections.filter((c) => !c.draining && c.socket.readyState === c.socket.OPEN);
  }

  #accept(id: number, socket: WebSocket): void {
    const connection: Connection = { id, socket, draining: false };
    this.#connections.push(connection);
    socket.on('message', (data: RawData, isBinary: boolean) => this.#receive(connection, data, isBinary));
    socket.on('close', () => {
      const index = this.#connections.indexOf(connection);
      if (index >= 0) this.#connections.splice(index, 1);
      this.#failPending((pending) => pending.connection === id, `Socket Mode connection ${id} closed`);
    });
    // Slack's greeting; the SDK counts the client as connected only once it arrives.
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.live(),
        debug_info: { host: 'fake-slack', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.#options.appId },
      }),
    );
  }

  #receive(connection: Connection, data: RawData, isBinary: boolean): void {
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    let message: unknown = null;
    try {
      message = isBinary ? null : JSON.parse(text);
    } catch {
      message = null;
    }
    const envelopeId =
      isObject(message) && typeof message.envelope_id === 'string' ? message.envelope_id : null;
    const payload = isObject(message) ? message.payload : text;
    this.acks.push({
      seq: this.#options.nextSeq(),
      connection: connection.id,
      envelopeId,
      payload: structuredClone(payload),
      at: this.#options.now(),
    });
    const pending = envelopeId === null ? undefined : this.#pending.get(envelopeId);
    if (envelopeId === null || pending === undefined) return;
    this.#pending.delete(envelopeId);
    clearTimeout(pending.timer);
    const empty =
      payload === undefined || payload === null || (isObject(payload) && Object.keys(payload).length === 0);
    pending.resolve({ ack: empty ? null : payload, ms: performance.now() - pending.started, envelopeId });
  }

  #failPending(which: (pending: PendingAck) => boolean, why: string): void {
    for (const [id, pending] of this.#pending) {
      if (!which(pending)) continue;
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new Error(`fake-slack: envelope ${id} was not acked: ${why}`));
    }
  }
}
