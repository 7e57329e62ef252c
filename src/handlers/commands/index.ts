import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { chkeyCommand } from './chkey.js';

export function registerCommands(app: App, deps: HandlerDeps): void {
  app.command(deps.command, chkeyCommand(deps));
}
