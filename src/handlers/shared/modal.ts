import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { KeyhouseError } from '../../core/errors.js';
import { unlessWaiting, WOULD_WAIT, withoutWaiting } from '../../util/no-wait.js';
import type { HandlerDeps } from '../deps.js';
import { describeError, loggedAs } from '../errors.js';
import { lookUpSoon, wordsNow } from './words.js';

/** An open modal and whose it is. */
export interface ModalPlace {
  viewId: string;
  userId: string;
}

/** What finished work shows in its modal, and the words for a direct message if the modal is gone. */
export interface Shown {
  view: ModalView;
  text: string;
}

/**
 * Shows `view` in an open modal. A modal answered with `response_action: "update"` keeps its id,
 * so no hash is sent (the acknowledgement changed it). When Slack refuses (the person closed the
 * modal), `fallback` reaches them by direct message instead, so an outcome is never lost; with a
 * null fallback (a form that was only being filled in) there is nothing to tell.
 */
export async function showInModal(
  deps: HandlerDeps,
  client: WebClient,
  place: ModalPlace,
  view: ModalView,
  fallback: string | null,
): Promise<void> {
  try {
    await client.views.update({ view_id: place.viewId, view });
    return;
  } catch (error) {
    deps.logger.info({ err: error, viewId: place.viewId }, 'could not update the modal');
  }
  if (fallback !== null) await client.chat.postMessage({ channel: place.userId, text: fallback });
}

/**
 * Finishes the work behind a "working…" modal and shows its outcome there: `work` returns the
 * view (a success, or the form again with errors found only now); a failure is shown in words,
 * with a reference id in the log when it is not one of Keyhouse's own.
 */
export async function settleInModal(
  deps: HandlerDeps,
  client: WebClient,
  place: ModalPlace,
  work: () => Promise<Shown>,
  failed: (text: string) => ModalView,
): Promise<void> {
  let shown: Shown;
  try {
    shown = await work();
  } catch (error) {
    const { text, reference } = describeError(wordsNow(deps, place.userId), error, deps.command);
    if (reference) deps.logger.error({ err: error, reference, userId: place.userId }, 'listener failed');
    else {
      const { code, message } = loggedAs(error);
      deps.logger.info({ code, userId: place.userId }, message);
    }
    shown = { view: failed(text), text: `⚠️ ${text}` };
  }
  await showInModal(deps, client, place, shown.view, shown.text);
}

/**
 * Opens a modal at once, while the trigger id is valid (3 s from the click): the finished view
 * when `build` needs no network, else `loading`, replaced by the finished view (or the failure,
 * in words) when `build` is done. A refusal found without the network is thrown, for the error
 * handler to answer where the click came from, and no modal opens.
 */
export async function openModal(
  deps: HandlerDeps,
  client: WebClient,
  opening: { triggerId: string; userId: string },
  build: () => Promise<ModalView>,
  loading: ModalView,
  failed: (text: string) => ModalView,
): Promise<void> {
  // A dialog is drawn in its person's words: a person not seen before is looked up first, briefly.
  await lookUpSoon(deps, opening.userId);
  const quick = await unlessWaiting(() => withoutWaiting(build));
  if (quick !== WOULD_WAIT) {
    await client.views.open({ trigger_id: opening.triggerId, view: quick });
    return;
  }
  const opened = await client.views.open({ trigger_id: opening.triggerId, view: loading });
  const viewId = opened.view?.id;
  if (!viewId) throw new KeyhouseError('internal', 'Slack answered views.open without a view id.');
  const place = { viewId, userId: opening.userId };
  let view: ModalView;
  try {
    view = await build();
  } catch (error) {
    await settleInModal(deps, client, place, () => Promise.reject(error), failed);
    return;
  }
  await showInModal(deps, client, place, view, null);
}
