/** The Korean catalog: the English one's areas and keys, in the console's own Korean terms. */
import type { Translation } from '../catalog.js';
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

export const ko: Translation = {
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
};
