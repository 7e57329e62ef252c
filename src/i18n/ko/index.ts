/** The Korean catalog: the English one's areas and keys, in the console's own Korean terms. */
import type { Translation } from '../catalog.js';
import { access } from './access.js';
import { delivery } from './delivery.js';
import { format } from './format.js';
import { help } from './help.js';
import { leaks } from './leaks.js';
import { newcomer } from './newcomer.js';
import { services } from './services.js';

export const ko: Translation = {
  access,
  delivery,
  format,
  help,
  leaks,
  newcomer,
  services,
};
