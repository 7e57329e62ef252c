import type { AckFirstApp } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { chkeyCommand } from './chkey.js';

export function registerCommands(app: AckFirstApp, deps: HandlerDeps): void {
  app.command(deps.command, chkeyCommand(deps));
}
