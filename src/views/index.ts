/** Block Kit renderers: pure functions from data to messages and modals. */
export { approvalMessage } from './approval-message.js';
export { type ClaimMessageOptions, claimMessage } from './claim-message.js';
export { deleteKeyModal, readDeleteModal } from './delete-modal.js';
export {
  DENY_REASON_MAX,
  denyCheckingModal,
  denyModal,
  denyOutcomeModal,
  denyWorkingModal,
  readDenyModal,
} from './deny-modal.js';
export {
  EDIT_CONTEXT_MAX,
  type EditModalInput,
  type EditModalValues,
  editKeyModal,
  editLoadingModal,
  editOutcomeModal,
  editWorkingModal,
  readEditModal,
} from './edit-modal.js';
export { formatInstant, type SlackMessage, slackDate } from './format.js';
export { type HelpMessage, helpMessage, unknownCommand } from './help.js';
export { type HomeOptions, homeView } from './home.js';
export { ACTION, BLOCK, CALLBACK, expiryBlockId, KEY_VERBS, type KeyVerb, keyBlockId } from './ids.js';
export {
  type ExtendModalInput,
  extendKeyModal,
  type LifecycleModalValues,
  liftLeakModal,
  type RotateModalInput,
  readLifecycleModal,
  reassignKeyModal,
  rotateKeyModal,
} from './key-dialogs.js';
export {
  KEYS_PER_PAGE,
  type KeyListMessage,
  type KeyListOptions,
  type KeyPlace,
  keyBlocks,
  keyListMessage,
  keySection,
  pageOf,
} from './key-list.js';
export { escapeMrkdwn, mention, truncate } from './mrkdwn.js';
export {
  type EphemeralNotice,
  errorNotice,
  type NoticeOptions,
  requesterNotice,
  threadNote,
} from './notices.js';
export { type Outcome, outcomeModal, workingModal } from './progress-modal.js';
export {
  type RequestModalInput,
  readRequestModal,
  requestCheckingModal,
  requestModal,
  requestModalBlockIds,
  requestModalErrors,
  requestOutcomeModal,
  requestSentModal,
  requestWorkingModal,
  type ViewStateValues,
} from './request-modal.js';
export { REVIEW_PER_PAGE, type ReviewListing, type ReviewMessage, reviewMessage } from './review.js';
export { type SecretMessage, secretMessage } from './secret-message.js';
