import type { RespondArguments, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { errorSaying } from '../../i18n/index.js';
import { nextDayStart } from '../../views/format.js';
import { homeView, type KeyListMessage, keyListMessage, pageOf, reviewMessage } from '../../views/index.js';
import type { ListScope } from '../../workflow/index.js';
import type { HandlerDeps } from '../deps.js';

/**
 * Where a key action came from, so what changed can be shown in place: a key list message (its
 * `response_url`, scope and page) or the user's App Home.
 */
export type Surface =
  | { kind: 'list'; responseUrl: string; scope: ListScope; page: number }
  | { kind: 'home' }
  | { kind: 'review'; responseUrl: string; page: number }
  /** A button in a direct message (an expiry warning, a leak notice): the dialog shows the outcome. */
  | { kind: 'none' };

export const surfaceSchema = z.union([
  z.object({
    kind: z.literal('list'),
    responseUrl: z.string().url(),
    scope: z.enum(['mine', 'all']),
    page: z.number().int().min(0),
  }),
  z.object({ kind: z.literal('home') }),
  z.object({ kind: z.literal('review'), responseUrl: z.string().url(), page: z.number().int().min(0) }),
  z.object({ kind: z.literal('none') }),
]);

/** What a key dialog carries in `private_metadata`: the key and where to show the outcome. */
const dialogContext = z.object({ keyId: z.string().uuid(), surface: surfaceSchema });
export type DialogContext = z.infer<typeof dialogContext>;

export function encodeContext(context: DialogContext): string {
  return JSON.stringify(context);
}

/** Parses a dialog's context; null for anything we did not write. */
export function decodeContext(raw: string): DialogContext | null {
  try {
    const parsed = dialogContext.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Answers through Bolt's `respond`, which exists only when the payload carried a `response_url`
 * (Slack always sends one; a crafted payload may not).
 */
export async function answer(respond: RespondFn | undefined, message: RespondArguments): Promise<void> {
  if (typeof respond !== 'function') {
    throw errorSaying('invalid_input', 'errors.noResponseUrl');
  }
  await respond(message);
}

/**
 * A key list page, rendered for `viewerId` in their words. Without a notice it is the message
 * drawn last time while the list and the reader's day are the same (rendered-lists.ts).
 */
export async function renderKeyList(
  deps: HandlerDeps,
  viewerId: string,
  scope: ListScope,
  page: number,
  notice?: string,
): Promise<KeyListMessage> {
  const [reader, entries] = await Promise.all([
    deps.readers.of(viewerId),
    deps.workflow.listKeys(viewerId, scope),
  ]);
  const m = deps.catalog.messages(reader);
  const now = deps.workflow.now();
  // Asked only when it is said: "Request one with /chkey" only to someone who may.
  const may =
    scope === 'mine' && entries.length === 0 ? { mayRequest: await mayRequest(deps, viewerId) } : {};
  const draw = () => {
    const shown = pageOf(entries, page);
    return keyListMessage(
      m,
      {
        scope,
        viewerId,
        entries: shown.items,
        page: shown.page,
        pageCount: shown.pageCount,
        total: entries.length,
        now,
        ...(notice ? { notice } : {}),
      },
      { command: deps.command, ...may },
    );
  };
  if (notice || !deps.renderedLists) return draw();
  return deps.renderedLists.message(entries, page, m, now, () => ({
    message: draw(),
    until: nextDayStart(m, now),
  }));
}

async function mayRequest(deps: HandlerDeps, userId: string): Promise<boolean> {
  return (await deps.policy.requestableRoles(userId)).length > 0;
}

/** A page of `/chkey review`, rendered for an admin (the workflow refuses anyone else). */
export async function renderReview(deps: HandlerDeps, viewerId: string, page: number, notice?: string) {
  const entries = await deps.workflow.review(viewerId);
  const shown = pageOf(entries, page);
  const m = deps.catalog.messages(await deps.readers.of(viewerId));
  return reviewMessage(m, {
    entries: shown.items,
    page: shown.page,
    pageCount: shown.pageCount,
    total: entries.length,
    now: deps.workflow.now(),
    staleAfterMs: deps.policy.doc.lifecycle.staleAfterMs,
    ...(notice ? { notice } : {}),
  });
}

/** Publishes the user's App Home afresh. */
export async function publishHome(deps: HandlerDeps, client: WebClient, userId: string, notice?: string) {
  const home = await deps.workflow.home(userId);
  const nudged = await deps.lifecycle.lastNudged(home.requests.map((r) => r.request.id));
  const data = {
    ...home,
    requests: home.requests.map((r) => {
      const last = nudged.get(r.request.id);
      return last ? { ...r, nudged: last } : r;
    }),
  };
  const m = deps.catalog.messages(await deps.readers.of(userId));
  await client.views.publish({
    user_id: userId,
    view: homeView(m, notice ? { ...data, notice } : data, {
      command: deps.command,
      mayRequest: await mayRequest(deps, userId),
    }),
  });
}

/** Shows the outcome of a key action where it was taken: the list replaced in place, or the Home tab. */
export async function refreshSurface(
  deps: HandlerDeps,
  client: WebClient,
  userId: string,
  surface: Surface,
  notice: string,
): Promise<void> {
  if (surface.kind === 'home') return publishHome(deps, client, userId, notice);
  if (surface.kind === 'none') return;
  const message =
    surface.kind === 'review'
      ? await renderReview(deps, userId, surface.page, notice)
      : await renderKeyList(deps, userId, surface.scope, surface.page, notice);
  const answer = await (deps.fetch ?? fetch)(surface.responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...message, replace_original: true }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!answer.ok) deps.logger.warn({ status: answer.status }, 'could not replace the key list');
}
