/**
 * The schema's history, oldest first, for both dialects. Versions 1–5 are the schema as released
 * before the single store layer (their SQL is frozen in test/store/fixtures/released-migrations.ts,
 * and a test proves these build the same schema); never edit a released entry, append a new one.
 */
import { initialSchema } from './0001-initial-schema.js';
import { securityWatch } from './0002-security-watch.js';
import { rotations } from './0003-rotations.js';
import { keyRoles } from './0004-key-roles.js';
import { timerMarks } from './0005-timer-marks.js';
import { auditChainFromTheFirst } from './0006-audit-chain-from-the-first.js';
import { keyEnvelopeLeaksPeople } from './0007-key-envelope-leaks-people.js';
import { serviceRoles } from './0008-service-roles.js';
import type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  securityWatch,
  rotations,
  keyRoles,
  timerMarks,
  auditChainFromTheFirst,
  keyEnvelopeLeaksPeople,
  serviceRoles,
];
