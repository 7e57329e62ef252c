/** The Korean catalog: the English one's areas and keys, in the console's own Korean terms. */
import type { Translation } from '../catalog.js';
import { access } from './access.js';
import { approval } from './approval.js';
import { claim } from './claim.js';
import { deny } from './deny.js';
import { dialog } from './dialog.js';
import { edit } from './edit.js';
import { format } from './format.js';
import { help } from './help.js';
import { keyDialogs } from './key-dialogs.js';
import { keyNameRule } from './key-name-rule.js';
import { leaks } from './leaks.js';
import { newcomer } from './newcomer.js';
import { request } from './request.js';
import { secret } from './secret.js';
import { services } from './services.js';
import { spans } from './spans.js';

export const ko: Translation = {
  access,
  format,
  help,
  leaks,
  newcomer,
  approval,
  claim,
  deny,
  dialog,
  edit,
  keyDialogs,
  keyNameRule,
  request,
  secret,
  spans,
  services,
};
