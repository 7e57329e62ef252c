/**
 * The English catalog, the reference for every other: one area per part of Keyhouse. A new area
 * is a file here, the same file in every other language, and a line in each index.
 */
import { access } from './access.js';
import { audit } from './audit.js';
import { auditHead } from './audit-head.js';
import { delivery } from './delivery.js';
import { errors } from './errors.js';
import { format } from './format.js';
import { help } from './help.js';
import { home } from './home.js';
import { keys } from './keys.js';
import { leaks } from './leaks.js';
import { newcomer } from './newcomer.js';
import { notices } from './notices.js';
import { outcomes } from './outcomes.js';
import { review } from './review.js';
import { services } from './services.js';
import { timers } from './timers.js';
import { watch } from './watch.js';

export const en = {
  access,
  audit,
  auditHead,
  delivery,
  errors,
  format,
  help,
  home,
  keys,
  leaks,
  newcomer,
  notices,
  outcomes,
  review,
  services,
  timers,
  watch,
} as const;
