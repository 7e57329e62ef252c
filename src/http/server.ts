/**
 * Keyhouse's HTTP port: a table of routes (`createApp` gives it Slack's events and the health
 * endpoints) and the limits of the server: Slack's requests are small and quick, so a client that
 * dribbles its headers or body is cut off rather than holding a socket for Node's default 300 s,
 * and connections are capped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  /** Connections held at once; past it, new ones are refused. */
  maxConnections: number;
}

/** Slack's own requests are a few kB and sent at once. */
export const DEFAULT_LIMITS: Readonly<HttpLimits> = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  maxConnections: 512,
};

export interface HttpServerOptions {
  routes: Routes;
  logger: Logger;
  limits?: Partial<HttpLimits>;
}

export class HttpServer {
  readonly #routes: Routes;
  readonly #logger: Logger;
  readonly #limits: HttpLimits;
  #server: Server | null = null;

  constructor(options: HttpServerOptions) {
    this.#routes = options.routes;
    this.#logger = options.logger;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** Listens on `port` (0: any free one) and resolves to the port bound. */
  async listen(port: number, host: string): Promise<number> {
    const { requestTimeoutMs, headersTimeoutMs, maxConnections } = this.#limits;
    const server = createServer(
      { requestTimeout: requestTimeoutMs, headersTimeout: headersTimeoutMs },
      (req, res) => this.#route(req, res),
    );
    server.maxConnections = maxConnections;
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
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = this.#routes[`${req.method ?? 'GET'} ${path}` as RouteKey];
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  }
}
