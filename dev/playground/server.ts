/**
 * The playground's web page: one HTML shell, one small script (compiled from `client/page.ts` with
 * TypeScript's own transpiler when the server starts), a Server-Sent Events stream per open page
 * with what its person sees, and a few JSON endpoints for what the person does. Loopback only;
 * the endpoints take JSON only, so another web site cannot post to them without a CORS preflight,
 * which is never answered. Nothing here logs a request or an answer body.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { z } from 'zod';
import type { FakeSlack } from '../fake-slack/index.js';
import { readBody } from '../fake-slack/parse.js';
import type { DestinationsFeed } from './destinations.js';
import { GITHUB_ALERT_COMMAND, PLAYGROUND_REPOSITORY } from './github-alert.js';
import type { PlaygroundPeople } from './people.js';
import { shellHtml } from './shell.js';
import type { SlackSide } from './slack-side.js';
import { type Snapshot, snapshot } from './snapshot.js';

export interface PageServerOptions {
  fake: FakeSlack;
  side: SlackSide;
  people: PlaygroundPeople;
  appName: string;
  command: string;
  /** `/github-alert <secret>`: the fake GitHub finds the secret and sends Keyhouse the alert (github-alert.ts). */
  githubAlert?: (secret: string) => Promise<string>;
  /** What the destinations behind Keyhouse hold: shown in a Destinations panel beside Slack. */
  destinations?: DestinationsFeed;
  port: number;
}

export interface PageServer {
  url: string;
  /** Re-render and push to every open page (debounced). */
  changed(): void;
  close(): Promise<void>;
}

const values = z.record(
  z.string(),
  z.record(z.string(), z.union([z.string(), z.array(z.string()), z.null()])),
);
const surface = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), channel: z.string(), ts: z.string() }),
  z.object({ kind: z.literal('ephemeral'), channel: z.string(), ts: z.string() }),
  z.object({ kind: z.literal('view'), viewId: z.string() }),
]);
const bodies = {
  command: z.object({ user: z.string(), channel: z.string(), text: z.string().max(4000) }),
  action: z.object({
    user: z.string(),
    surface,
    blockId: z.string(),
    actionId: z.string(),
    selected: z.string().nullable(),
    values: values.default({}),
  }),
  submit: z.object({ user: z.string(), viewId: z.string(), values }),
  close: z.object({ user: z.string(), viewId: z.string(), which: z.enum(['top', 'all']) }),
  open: z.object({ user: z.string(), tab: z.enum(['home', 'messages']) }),
  dismiss: z.object({ user: z.string(), ts: z.string() }),
  'dismiss-notice': z.object({ user: z.string(), id: z.string() }),
  language: z.object({ user: z.string(), locale: z.enum(['en-US', 'ko-KR']) }),
} as const;

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="11" cy="16" r="7" fill="none" ' +
  'stroke="#e0a800" stroke-width="4"/><path d="M18 16h12M26 16v6M22 16v4" stroke="#e0a800" stroke-width="4"/></svg>';

async function clientScript(): Promise<string> {
  const source = await readFile(fileURLToPath(new URL('./client/page.ts', import.meta.url)), 'utf8');
  return ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
}

interface Watcher {
  user: string;
  response: ServerResponse;
  last: string;
}

export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const { fake, side, people } = options;
  const script = await clientScript();
  const watchers = new Set<Watcher>();
  let pending: NodeJS.Timeout | null = null;

  const push = (watcher: Watcher) => {
    const view: Snapshot = snapshot(
      { fake, side, people, appName: options.appName, destinations: options.destinations },
      watcher.user,
    );
    const data = JSON.stringify(view);
    if (data === watcher.last) return;
    watcher.last = data;
    watcher.response.write(`event: snapshot\ndata: ${data}\n\n`);
  };
  const changed = () => {
    if (pending !== null) return;
    pending = setTimeout(() => {
      pending = null;
      for (const watcher of watchers) push(watcher);
    }, 20);
  };
  const stopListening = fake.onActivity(changed);
  // A key written into Vault or GitHub is news to every page, whatever Slack was told of it.
  const stopFollowing = options.destinations?.onChange(changed) ?? (() => {});

  const isPerson = (user: string) => people.people.some((p) => p.id === user);

  const handlers: { [K in keyof typeof bodies]: (body: z.infer<(typeof bodies)[K]>) => Promise<void> } = {
    command: async (b) => {
      const text = b.text.trim();
      const match = /^(\/\S+)\s*([\s\S]*)$/.exec(text);
      if (match === null) {
        side.notice(
          b.user,
          b.channel,
          'The playground sends slash commands only; try /chkey help, or /github-alert <secret> to have GitHub find a secret.',
        );
      } else if (match[1] === GITHUB_ALERT_COMMAND && options.githubAlert) {
        const secret = (match[2] ?? '').trim();
        side.notice(
          b.user,
          b.channel,
          secret === ''
            ? `${GITHUB_ALERT_COMMAND} <secret>: GitHub's secret scanning finds that secret in ${PLAYGROUND_REPOSITORY} and tells Keyhouse.`
            : await options.githubAlert(secret),
        );
      } else if (match[1] !== options.command) {
        side.notice(
          b.user,
          b.channel,
          `${match[1]} is not a valid command. In Slack, try ${options.command}.`,
        );
      } else {
        await side.command(b.user, b.channel, match[2] ?? '');
      }
    },
    action: (b) => side.action(b.user, b.surface, b.blockId, b.actionId, b.selected, b.values),
    submit: (b) => side.submit(b.user, b.viewId, b.values),
    close: (b) => side.close(b.user, b.viewId, b.which),
    open: (b) => side.openedApp(b.user, b.tab),
    dismiss: async (b) => {
      fake.dismissEphemeral(b.user, b.ts);
    },
    'dismiss-notice': async (b) => side.dismissNotice(b.user, b.id),
    language: (b) => side.changeLanguage(b.user, b.locale),
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(
        shellHtml({
          people,
          appName: options.appName,
          command: options.command,
          destinations: options.destinations !== undefined,
        }),
      );
      return;
    }
    if (request.method === 'GET' && (url.pathname === '/favicon.svg' || url.pathname === '/favicon.ico')) {
      // A key, so the tab is told apart, and no 404 in the browser's console.
      response.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' });
      response.end(FAVICON);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/page.js') {
      response.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(script);
      return;
    }
    if (request.method === 'GET' && url.pathname === '/events') {
      const user = url.searchParams.get('user') ?? '';
      if (!isPerson(user)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      const watcher: Watcher = { user, response, last: '' };
      watchers.add(watcher);
      request.on('close', () => watchers.delete(watcher));
      push(watcher);
      return;
    }
    const api = /^\/api\/([a-z-]+)$/.exec(url.pathname)?.[1];
    if (request.method === 'POST' && api !== undefined && api in bodies) {
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
        response.writeHead(415).end();
        return;
      }
      const name = api as keyof typeof bodies;
      let parsed: { success: true; data: { user: string } } | { success: false };
      try {
        parsed = bodies[name].safeParse(JSON.parse(await readBody(request)));
      } catch {
        parsed = { success: false };
      }
      if (!parsed.success || !isPerson(parsed.data.user)) {
        response.writeHead(400).end();
        return;
      }
      await (handlers[name] as (b: unknown) => Promise<void>)(parsed.data);
      changed();
      response.writeHead(204).end();
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // The message only: an error here never carries a payload, and payloads are never logged.
      process.stderr.write(`playground: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    changed,
    close: async () => {
      stopListening();
      stopFollowing();
      if (pending !== null) clearTimeout(pending);
      for (const watcher of watchers) watcher.response.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
