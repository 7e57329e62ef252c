import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestRunner } from 'vitest';

/**
 * Some suites need things a user's clone may not have: the reference specs in `../shared/ref/`
 * and a PostgreSQL server. They report themselves skipped, with the reason, unless
 * `KEYHOUSE_TEST_REQUIRE_ALL=1` (set by `.ci/run`), which turns a missing requirement into a failure.
 */
export const REQUIRE_ALL = process.env.KEYHOUSE_TEST_REQUIRE_ALL === '1';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of a file in `../shared/ref/`, or null when the clone has no `../shared`. */
export function sharedRef(name: string): string | null {
  const path = resolve(repoRoot, '..', 'shared', 'ref', name);
  return existsSync(path) ? path : null;
}

/**
 * Returns the value when present. When absent: throws under REQUIRE_ALL, otherwise returns null
 * and the caller skips (`describe.skipIf(!x)`) with `reason` in the suite name.
 */
export function requirement<T>(value: T | null | undefined, reason: string): T | null {
  if (value !== null && value !== undefined) return value;
  if (REQUIRE_ALL) throw new Error(`required by KEYHOUSE_TEST_REQUIRE_ALL but missing: ${reason}`);
  // Called while a test file is collected: the skip reporter prints this next to each skipped suite.
  const file = TestRunner.getCurrentSuite()?.file;
  if (file) {
    const missing = file.meta.missingRequirements ?? [];
    if (!missing.includes(reason)) file.meta.missingRequirements = [...missing, reason];
  }
  return null;
}
