/**
 * The English catalog, the reference for every other: one area per part of Keyhouse. A new area
 * is a file here, the same file in every other language, and a line in each index.
 */
import { delivery } from './delivery.js';
import { help } from './help.js';

export const en = { delivery, help } as const;
