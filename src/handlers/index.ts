import type { App } from '@slack/bolt';
import { registerActions } from './actions/index.js';
import { registerCommands } from './commands/index.js';
import type { HandlerDeps } from './deps.js';
import { registerEvents } from './events/index.js';
import { registerViews } from './views/index.js';

export type { HandlerDeps } from './deps.js';

export function registerHandlers(app: App, deps: HandlerDeps): void {
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
}
