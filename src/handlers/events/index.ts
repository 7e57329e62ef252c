import type { AckFirstApp } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { appHomeOpened } from './app-home.js';
import { messageEvent } from './message.js';

export function registerEvents(app: AckFirstApp, deps: HandlerDeps): void {
  app.event('app_home_opened', appHomeOpened(deps));
  // `leakAction: off` reads no messages at all: without the listener Bolt drops them unread.
  if (deps.watch) app.event('message', messageEvent(deps.watch));
}
