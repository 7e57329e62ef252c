import { ACTION } from '../../views/ids.js';
import type { AckFirstApp } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { approveAction } from './approve.js';
import { breakGlassReviewAction } from './break-glass-review.js';
import { createKeyAction } from './create-key.js';
import { denyAction } from './deny.js';
import { dismissSecretAction } from './dismiss-secret.js';
import { editRoleAction } from './edit-role.js';
import { extendKeyAction } from './extend-key.js';
import { keyMenuAction } from './key-menu.js';
import { listPageAction } from './list-page.js';
import { reviewPageAction } from './review-page.js';
import { roleSelectAction } from './role-select.js';
import { rotateKeyAction } from './rotate-key.js';
import { staleDeleteAction } from './stale-delete.js';
import { staleDisableAction } from './stale-disable.js';
import { staleKeepAction } from './stale-keep.js';

/**
 * Every click is acknowledged at once (`ackFirst`); who may act is decided by the workflow after
 * that, at each click, from the store, never the payload.
 */
export function registerActions(app: AckFirstApp, deps: HandlerDeps): void {
  app.action(ACTION.approve, approveAction(deps));
  app.action(ACTION.deny, denyAction(deps));
  app.action(ACTION.createKey, createKeyAction(deps));
  app.action(ACTION.dismissSecret, dismissSecretAction());
  app.action(ACTION.roleSelect, roleSelectAction(deps));
  app.action(ACTION.keyMenu, keyMenuAction(deps));
  app.action(ACTION.listPage, listPageAction(deps));
  app.action(ACTION.listPagePrevious, listPageAction(deps));
  app.action(ACTION.editRole, editRoleAction(deps));
  app.action(ACTION.staleKeep, staleKeepAction(deps));
  app.action(ACTION.staleDisable, staleDisableAction(deps));
  app.action(ACTION.staleDelete, staleDeleteAction(deps));
  app.action(ACTION.rotateKey, rotateKeyAction(deps));
  app.action(ACTION.extendKey, extendKeyAction(deps));
  // Admins only: the review re-checks the clicker on every page it renders.
  app.action(ACTION.reviewPage, reviewPageAction(deps));
  app.action(ACTION.reviewPagePrevious, reviewPageAction(deps));
  // Approvers other than the requester: the gate re-checks the reviewer at each click.
  app.action(ACTION.breakGlassKeep, breakGlassReviewAction(deps, 'keep'));
  app.action(ACTION.breakGlassRevoke, breakGlassReviewAction(deps, 'revoke'));
}
