import type { App } from '@slack/bolt';
import { ackFirst, type Registration } from './ack-first.js';
import { registerActions } from './actions/index.js';
import { registerCommands } from './commands/index.js';
import type { HandlerDeps } from './deps.js';
import { registerEvents } from './events/index.js';
import { registerViews } from './views/index.js';

export type { AckFirstApp, Listener, Registration, Reply } from './ack-first.js';
export { ackFirst, isAckFirst } from './ack-first.js';
export { listAtOnce } from './commands/list-at-once.js';
export type { HandlerDeps } from './deps.js';
export { RenderedLists } from './shared/rendered-lists.js';

/**
 * Every listener goes through `ackFirst`: Slack hears an answer before anything waits on the
 * network, and the listeners never hold Bolt's `ack` themselves. Returns what was registered.
 */
export function registerHandlers(app: App, deps: HandlerDeps): Registration[] {
  const acking = ackFirst(app);
  registerCommands(acking, deps);
  registerActions(acking, deps);
  registerViews(acking, deps);
  registerEvents(acking, deps);
  return acking.routes();
}
