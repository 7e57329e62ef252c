import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { appHomeOpened } from './app-home.js';

export function registerEvents(app: App, deps: HandlerDeps): void {
  app.event('app_home_opened', appHomeOpened(deps));
}
