import type { Logger } from 'pino';
import { z } from 'zod';
import type { Readers } from '../core/locale.js';
import { type Catalog, errorSaying } from '../i18n/index.js';
import type { Policy } from '../policy/index.js';
import type { Lifecycle } from '../timers/index.js';
import type { KeyListMessage } from '../views/index.js';
import type { Workflow } from '../workflow/index.js';
import type { MessageWatchDeps } from './events/message.js';
import type { RenderedLists } from './shared/rendered-lists.js';

/** What every listener may use. Listeners translate Slack payloads; the workflow decides. */
export interface HandlerDeps {
  workflow: Workflow;
  /** Timed lifecycle (stale-key choices, offboarding, reminders shown in Home). */
  lifecycle: Lifecycle;
  policy: Policy;
  /** The words, in every language Keyhouse speaks. */
  catalog: Catalog;
  /** Each person's language and time zone. */
  readers: Readers;
  /** The slash command as configured (`SLACK_COMMAND`), for help texts. */
  command: string;
  logger: Logger;
  /** Transport for `response_url` posts made outside Bolt's `respond` (defaults to the global fetch). */
  fetch?: typeof fetch;
  /**
   * About how long ClickHouse's budget would keep the current person's next request waiting, in ms
   * (0 when it would go at once): said to them at once rather than a silent wait.
   */
  budgetWaitMs?: () => number;
  /** Runs the timed rules soon, in the background (an event just made work due). */
  kickTimers?: () => void;
  /** Key list messages drawn before, reused while nothing in them changed; none kept when absent. */
  renderedLists?: RenderedLists<KeyListMessage>;
  /** The leak tripwire and who Keyhouse is in Slack; absent with `security.leakAction: off`. */
  watch?: MessageWatchDeps;
}

const requestId = z.string().uuid();

/**
 * A button's value is only ever a request id; anything else is a crafted or stale payload and
 * changes nothing, told in the clicker's words. The handler then re-reads the request from the store.
 */
export function parseRequestId(value: unknown): string {
  const parsed = requestId.safeParse(value);
  if (!parsed.success) throw errorSaying('not_found', 'approval.buttonGone');
  return parsed.data;
}
