/** Readers' words for the view tests: English in UTC unless a test asks for another reader. */
import type { Locale } from '../../src/core/locale.js';
import { Catalog, type Messages } from '../../src/i18n/index.js';

const catalog = new Catalog();

export function words(locale: Locale = 'en', timeZone = 'UTC'): Messages {
  return catalog.messages({ locale, timeZone });
}

export const english = words('en');
export const korean = words('ko', 'Asia/Seoul');
