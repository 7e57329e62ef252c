/** Block Kit renderers: pure functions from data to messages and modals. */
export { approvalMessage } from './approval-message.js';
export { type ClaimMessageOptions, claimMessage } from './claim-message.js';
export { DENY_REASON_MAX, denyModal, readDenyModal } from './deny-modal.js';
export { expiryLine, formatInstant, relativeDays, type SlackMessage, slackDate } from './format.js';
export { comingSoon, type HelpMessage, helpMessage, unknownCommand } from './help.js';
export { ACTION, BLOCK, CALLBACK, expiryBlockId } from './ids.js';
export { escapeMrkdwn, mention, truncate } from './mrkdwn.js';
export {
  type EphemeralNotice,
  errorNotice,
  type NoticeOptions,
  notAllowedToRequest,
  requesterNotice,
  threadNote,
} from './notices.js';
export {
  type RequestModalInput,
  readRequestModal,
  requestModal,
  requestModalBlockIds,
  requestModalErrors,
  type ViewStateValues,
} from './request-modal.js';
export { type SecretMessage, secretMessage } from './secret-message.js';
