/** The Korean catalog: the English one's areas and keys, in the console's own Korean terms. */
import type { Translation } from '../catalog.js';
import { access } from './access.js';
import { approval } from './approval.js';
import { audit } from './audit.js';
import { auditHead } from './audit-head.js';
import { claim } from './claim.js';
import { delivery } from './delivery.js';
import { deny } from './deny.js';
import { dialog } from './dialog.js';
import { edit } from './edit.js';
import { errors } from './errors.js';
import { format } from './format.js';
import { help } from './help.js';
import { home } from './home.js';
import { keyDialogs } from './key-dialogs.js';
import { keyNameRule } from './key-name-rule.js';
import { keys } from './keys.js';
import { leaks } from './leaks.js';
import { newcomer } from './newcomer.js';
import { notices } from './notices.js';
import { outcomes } from './outcomes.js';
import { request } from './request.js';
import { review } from './review.js';
import { secret } from './secret.js';
import { services } from './services.js';
import { spans } from './spans.js';
import { timers } from './timers.js';
import { watch } from './watch.js';

export const ko: Translation = {
  access,
  approval,
  audit,
  auditHead,
  claim,
  delivery,
  deny,
  dialog,
  edit,
  errors,
  format,
  help,
  home,
  keyDialogs,
  keyNameRule,
  keys,
  leaks,
  newcomer,
  notices,
  outcomes,
  request,
  review,
  secret,
  services,
  spans,
  timers,
  watch,
};
