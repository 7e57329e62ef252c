import { CALLBACK } from '../../views/ids.js';
import type { AckFirstApp } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { deleteSubmitView } from './delete-submit.js';
import { denySubmitView } from './deny-submit.js';
import { editSubmitView } from './edit-submit.js';
import { extendSubmitView } from './extend-submit.js';
import { liftLeakSubmitView } from './lift-leak-submit.js';
import { reassignSubmitView } from './reassign-submit.js';
import { requestSubmitView } from './request-submit.js';
import { rotateSubmitView } from './rotate-submit.js';

/** Every submission is acknowledged at once (`ackFirst`); what needs ClickHouse shows in the modal after. */
export function registerViews(app: AckFirstApp, deps: HandlerDeps): void {
  app.view(CALLBACK.requestModal, requestSubmitView(deps));
  app.view(CALLBACK.denyModal, denySubmitView(deps));
  app.view(CALLBACK.editModal, editSubmitView(deps));
  app.view(CALLBACK.deleteModal, deleteSubmitView(deps));
  app.view(CALLBACK.rotateModal, rotateSubmitView(deps));
  app.view(CALLBACK.extendModal, extendSubmitView(deps));
  // Admins only: checked by the workflow after the acknowledgement.
  app.view(CALLBACK.reassignModal, reassignSubmitView(deps));
  app.view(CALLBACK.liftLeakModal, liftLeakSubmitView(deps));
}
