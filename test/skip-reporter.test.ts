/**
 * The skip reporter: one line per skipped suite, and per PostgreSQL-only test skipped beside tests
 * that ran, each with its reason once; a requirement that skipped nothing is said once for all files.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import SkipReporter from './support/skip-reporter.js';

interface FakeTest {
  name: string;
  skipped: boolean;
}

/** Just what the reporter reads of a module: its suites and tests, and the reasons on its meta. */
function fakeModule(
  file: string,
  reasons: string[],
  suites: { name: string; skipped: boolean }[],
  tests: FakeTest[],
): TestModule {
  const module = { type: 'module' } as const;
  const suiteObjects = suites.map((s) => ({
    name: s.name,
    parent: module,
    options: { mode: s.skipped ? 'skip' : 'run' },
    state: () => (s.skipped ? 'skipped' : 'passed'),
  }));
  const suite = { type: 'suite', options: { mode: 'run' } };
  const testObjects = tests.map((t) => ({
    fullName: `suite > ${t.name}`,
    parent: suite,
    options: { mode: t.skipped ? 'skip' : 'run' },
    result: () => ({ state: t.skipped ? 'skipped' : 'passed' }),
  }));
  return {
    moduleId: `${process.cwd()}/${file}`,
    meta: () => ({ missingRequirements: reasons }),
    children: { allSuites: () => suiteObjects.values(), allTests: () => testObjects.values() },
  } as unknown as TestModule;
}

describe('SkipReporter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('names skipped suites and lone skipped tests with their reason, and says once what ran without a requirement', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const reporter = new SkipReporter();
    reporter.onInit({ config: { testNamePattern: undefined } } as never);
    const PG = 'TEST_DATABASE_URL not set (no PostgreSQL)';
    const REF = '../shared/ref/x.json not found: the end-to-end suites run without checking traffic';
    reporter.onTestRunEnd([
      fakeModule('test/store/postgres.test.ts', [PG], [{ name: 'postgres store', skipped: true }], []),
      fakeModule(
        'test/e2e/drift.test.ts',
        [PG],
        [],
        [
          { name: 'reports a change', skipped: false },
          { name: 'a replica pair (PostgreSQL)', skipped: true },
        ],
      ),
      fakeModule('test/e2e/a.test.ts', [REF], [], [{ name: 'works', skipped: false }]),
      fakeModule('test/e2e/b.test.ts', [REF], [], [{ name: 'works', skipped: false }]),
    ]);
    const lines = written.join('').trim().split('\n');
    expect(lines).toEqual([
      `skipped: test/store/postgres.test.ts > postgres store (${PG})`,
      `skipped: test/e2e/drift.test.ts > suite > a replica pair (PostgreSQL) (${PG})`,
      `ran without: ${REF} (2 files)`,
    ]);
  });
});
