/**
 * The English catalog, the reference for every other: one area per part of Keyhouse. A new area
 * is a file here, the same file in every other language, and a line in each index.
 */
import { access } from './access.js';
import { delivery } from './delivery.js';
import { format } from './format.js';
import { help } from './help.js';
import { leaks } from './leaks.js';
import { newcomer } from './newcomer.js';
import { services } from './services.js';

export const en = {
  access,
  delivery,
  format,
  help,
  leaks,
  newcomer,
  services,
} as const;
