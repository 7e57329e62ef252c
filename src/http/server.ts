/**
 * Keyhouse's HTTP port: a table of routes (`createApp` gives it Slack's events and the health
 * endpoints) and the limits that keep it answering slow and greedy clients (product.md §10).
 *
 * Node's own guards fall short in two ways. Overdue headers are looked for on a timer that runs
 * every 30 s, so a 5 s deadline let a half-sent request hold its connection for up to 35 s; here
 * the timer runs every second. And `maxConnections` refuses every newcomer once the cap is
 * reached, so one client holding the cap's worth of half-sent connections reset everyone else's;
 * here the connection that has waited longest for a request that has not arrived whole (headers
 * or body half-sent, or idle between requests) makes room instead, and a newcomer is refused only
 * when every connection holds a request being answered (each of which ends within the request
 * timeout).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A route's method and exact path, as in `GET /healthz`. */
export type RouteKey = `${'GET' | 'POST'} /${string}`;

export type Routes = Readonly<Partial<Record<RouteKey, Handler>>>;

export interface HttpLimits {
  /** A request, headers and body, must arrive within this (ms). */
  requestTimeoutMs: number;
  /** A request's headers must arrive within this (ms) of the connection opening. */
  headersTimeoutMs: number;
  /** How often overdue headers and requests are looked for (ms): the deadlines hold to within this. */
  checkEveryMs: number;
  /** Connections held at once; past it, the one waiting longest for its request is closed to make room. */
  maxConnections: number;
}

/** Slack's own requests are a few kB and sent at once. */
export const DEFAULT_LIMITS: Readonly<HttpLimits> = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  checkEveryMs: 1_000,
  maxConnections: 512,
};

export interface HttpServerOptions {
  routes: Routes;
  logger: Logger;
  limits?: Partial<HttpLimits>;
}

/** At most one warning a minute while the port is at its cap: a flood must not flood the log too. */
const SHED_LOG_EVERY_MS = 60_000;

export class HttpServer {
  readonly #routes: Routes;
  readonly #logger: Logger;
  readonly #limits: HttpLimits;
  readonly #connections = new Connections();
  #server: Server | null = null;
  #shed = 0;
  #shedLoggedAt = -Infinity;

  constructor(options: HttpServerOptions) {
    this.#routes = options.routes;
    this.#logger = options.logger;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** Listens on `port` (0: any free one) and resolves to the port bound. */
  async listen(port: number, host: string): Promise<number> {
    const { requestTimeoutMs, headersTimeoutMs, checkEveryMs } = this.#limits;
    const server = createServer(
      {
        requestTimeout: requestTimeoutMs,
        headersTimeout: headersTimeoutMs,
        connectionsCheckingInterval: checkEveryMs,
      },
      (req, res) => this.#route(req, res),
    );
    server.on('connection', (socket: Socket) => this.#admit(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /**
   * Stops accepting connections, lets those open carry on while `draining` runs (the caller
   * waits there for the work in flight), then closes every connection still open.
   */
  async close(draining: () => Promise<unknown>): Promise<void> {
    const server = this.#server;
    this.#server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : null;
    await draining();
    server?.closeAllConnections();
    await closed;
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    this.#connections.requested(req, res);
    // The path alone, without building a URL object for every request (a list answered from memory
    // costs little more than this).
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const handler = this.#routes[`${req.method ?? 'GET'} ${path}` as RouteKey];
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  }

  /** A new connection: counted, and at the cap room is made for it, or it is refused. */
  #admit(socket: Socket): void {
    if (this.#connections.size >= this.#limits.maxConnections) {
      const madeRoom = this.#connections.closeIdlest();
      this.#noteShed();
      // Every connection is being answered: the newcomer waits its turn in the client's retry.
      if (!madeRoom) {
        socket.destroy();
        return;
      }
    }
    this.#connections.opened(socket);
  }

  #noteShed(): void {
    this.#shed += 1;
    const now = performance.now();
    if (now - this.#shedLoggedAt < SHED_LOG_EVERY_MS) return;
    this.#logger.warn(
      { closed: this.#shed, maxConnections: this.#limits.maxConnections },
      'the HTTP port is at its connection cap: closing the connections that wait longest for their request',
    );
    this.#shed = 0;
    this.#shedLoggedAt = now;
  }
}

/**
 * The open connections, each with the request it carries now, in the order they began waiting for
 * it: when they opened, or when the answer to their previous request was sent.
 */
class Connections {
  /** Map order is insertion order: a connection moves to the end when its answer is sent. */
  readonly #open = new Map<Socket, { req: IncomingMessage; res: ServerResponse } | null>();

  get size(): number {
    return this.#open.size;
  }

  opened(socket: Socket): void {
    this.#open.set(socket, null);
    socket.once('close', () => this.#open.delete(socket));
  }

  /** A request's headers arrived on its connection. */
  requested(req: IncomingMessage, res: ServerResponse): void {
    const { socket } = req;
    if (!this.#open.has(socket)) return;
    this.#open.set(socket, { req, res });
    res.once('finish', () => {
      // A pipelined request may already have taken its place.
      if (socket.destroyed || this.#open.get(socket)?.res !== res) return;
      this.#open.delete(socket);
      this.#open.set(socket, null);
    });
  }

  /**
   * Closes the connection that has waited longest for a request, whether its headers or its body
   * are still to come (or it is idle between requests); never one whose request has arrived whole
   * or is being answered. False when every connection is being answered.
   */
  closeIdlest(): boolean {
    for (const [socket, current] of this.#open) {
      if (current && (current.req.complete || current.res.headersSent)) continue;
      // Forgotten at once, not at its close event: newcomers accepted in the same turn of the
      // event loop must each close another.
      this.#open.delete(socket);
      socket.destroy();
      return true;
    }
    return false;
  }
}
