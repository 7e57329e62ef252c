/**
 * Prints one line per skipped suite with the reason, which vitest's default reporter leaves out:
 * `requirement()` (./requirements.ts) records what is missing on the test file's metadata, and
 * this reporter, running beside the default one, names each skipped suite with those reasons.
 * Under a test-name filter (`-t`) it says nothing: vitest skips whatever does not match, and a
 * missing requirement could not be told from a suite that was only filtered out.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule, TestSuite, Vitest } from 'vitest/node';

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
    for (const module of testModules) {
      const reasons = module.meta().missingRequirements ?? [];
      const file = relative(process.cwd(), module.moduleId);
      for (const suite of module.children.allSuites()) {
        if (!isTopSkipped(suite)) continue;
        const why = reasons.length > 0 ? reasons.join('; ') : 'no reason recorded';
        lines.push(`skipped: ${file} > ${suite.name} (${why})`);
      }
    }
    if (lines.length > 0) process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}

/** A skipped suite whose parent ran: the one line for a whole skipped subtree. */
function isTopSkipped(suite: TestSuite): boolean {
  if (suite.state() !== 'skipped' || suite.options.mode !== 'skip') return false;
  const parent = suite.parent;
  return parent.type === 'module' || parent.options.mode !== 'skip';
}
