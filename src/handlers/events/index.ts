import type { AckFirstApp } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { appHomeOpened } from './app-home.js';

export function registerEvents(app: AckFirstApp, deps: HandlerDeps): void {
  app.event('app_home_opened', appHomeOpened(deps));
}
