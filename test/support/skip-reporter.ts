/**
 * Prints one line per skipped suite, or skipped test in a suite that ran (a PostgreSQL-only test
 * beside SQLite ones), with the reason, which vitest's default reporter leaves out:
 * `requirement()` (./requirements.ts) records what is missing on the test file's metadata, and
 * this reporter, running beside the default one, names each with those reasons, once. A
 * requirement that skipped nothing in a file (the end-to-end suites without `../shared/ref`, which
 * run without checking their traffic against the spec) is said once, with how many files ran so.
 * Under a test-name filter (`-t`) it says nothing: vitest skips whatever does not match, and a
 * missing requirement could not be told from a suite that was only filtered out.
 */
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule, TestSuite, Vitest } from 'vitest/node';

declare module 'vitest' {
  interface TaskMeta {
    /** What the file's suites need and this machine lacks (set by `requirement()`). */
    missingRequirements?: string[];
  }
}

export default class SkipReporter implements Reporter {
  #filtered = false;

  onInit(vitest: Vitest): void {
    this.#filtered = Boolean(vitest.config.testNamePattern);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (this.#filtered) return;
    const lines: string[] = [];
    /** Reason → files where it skipped nothing: their tests ran without what it names. */
    const ranWithout = new Map<string, number>();
    for (const module of testModules) {
      const reasons = module.meta().missingRequirements ?? [];
      const file = relative(process.cwd(), module.moduleId);
      const why = reasons.length > 0 ? reasons.join('; ') : 'no reason recorded';
      const skipped = [
        ...[...module.children.allSuites()].filter(isTopSkipped).map((suite) => suite.name),
        ...[...module.children.allTests()].filter(isLoneSkippedTest).map((test) => test.fullName),
      ];
      for (const name of skipped) lines.push(`skipped: ${file} > ${name} (${why})`);
      // Missing, yet nothing skipped: the file's tests ran without it (the spec checks, say).
      if (skipped.length === 0) {
        for (const reason of reasons) ranWithout.set(reason, (ranWithout.get(reason) ?? 0) + 1);
      }
    }
    for (const [reason, files] of ranWithout) {
      lines.push(`ran without: ${reason} (${files} file${files === 1 ? '' : 's'})`);
    }
    if (lines.length > 0) process.stdout.write(`\n${[...new Set(lines)].join('\n')}\n`);
  }
}

/** A test skipped on its own (`it.skipIf`) in a suite that ran: its suite's line does not name it. */
function isLoneSkippedTest(test: TestCase): boolean {
  if (test.result().state !== 'skipped' || test.options.mode !== 'skip') return false;
  const parent = test.parent;
  return parent.type === 'module' || parent.options.mode !== 'skip';
}

/** A skipped suite whose parent ran: the one line for a whole skipped subtree. */
function isTopSkipped(suite: TestSuite): boolean {
  if (suite.state() !== 'skipped' || suite.options.mode !== 'skip') return false;
  const parent = suite.parent;
  return parent.type === 'module' || parent.options.mode !== 'skip';
}
