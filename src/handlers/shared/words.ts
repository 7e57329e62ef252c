import type { RespondArguments } from '@slack/bolt';
import type { Messages } from '../../i18n/index.js';
import { unlessWaiting, WOULD_WAIT } from '../../util/no-wait.js';
import type { CommandAck, Reply } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { answer } from './key-surface.js';

/**
 * A person's words: their Slack language and time zone (product.md §14). Slack is asked only for
 * someone not seen before, so call it after the acknowledgement (inside it, see `wordsNow`).
 */
export async function wordsOf(deps: HandlerDeps, userId: string): Promise<Messages> {
  return deps.catalog.messages(await deps.readers.of(userId));
}

/**
 * For an acknowledgement, which cannot wait on Slack: the person's words when they are at hand
 * (anyone who opened a dialog was looked up to draw it), else the policy's language.
 */
export function wordsNow(deps: HandlerDeps, userId: string): Messages {
  return deps.catalog.messages(deps.readers.now(userId));
}

/**
 * A command's answer in the person's words: the acknowledgement itself when their language is at
 * hand, else a moment later through the response URL, once Slack has said what it is.
 */
export async function answerInTheirWords(
  deps: HandlerDeps,
  userId: string,
  render: (m: Messages) => RespondArguments,
): Promise<Reply<CommandAck>> {
  const reader = await unlessWaiting(() => deps.readers.of(userId));
  if (reader !== WOULD_WAIT) return { ack: render(deps.catalog.messages(reader)) };
  return { after: async ({ respond }) => answer(respond, render(await wordsOf(deps, userId))) };
}

/**
 * Waits a moment for the person's language, for a dialog that opens after the acknowledgement:
 * its trigger id lasts 3 s, so Slack's answer is waited for at most `withinMs`; after that the
 * dialog opens in what is at hand (the policy's language) rather than not at all.
 */
export async function lookUpSoon(deps: HandlerDeps, userId: string, withinMs = 1_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, withinMs);
  });
  try {
    await Promise.race([deps.readers.of(userId), late]);
  } finally {
    clearTimeout(timer);
  }
}
