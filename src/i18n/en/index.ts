/**
 * The English catalog, the reference for every other: one area per part of Keyhouse. A new area
 * is a file here, the same file in every other language, and a line in each index.
 */
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

export const en = {
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
} as const;
