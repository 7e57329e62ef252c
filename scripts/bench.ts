/**
 * `npm run bench`: Keyhouse against a bare Bolt 5 app, each in its own process, driven with signed
 * Slack requests; the fake Slack and the ClickHouse emulator run in a third process. Prints the
 * figures and the targets with PASS/MISS; it asserts nothing. BENCHMARKS.md records runs.
 *
 *   npm run bench -- [--latency 300] [--concurrency 20] [--requests 1000] [--json]   (--help for all)
 *   npm run bench -- --starts 5                                                        (start-up only)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseOptions, USAGE } from './bench/options.js';
import { killAllNow, stopAll } from './bench/processes.js';
import { renderTable, rows } from './bench/report.js';
import { runBenchmark } from './bench/run.js';
import { renderStarts, runStarts } from './bench/starts.js';

const began = performance.now();

/** Progress goes to stderr, so `--json` output on stdout stays clean. */
function progress(message: string): void {
  const seconds = ((performance.now() - began) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[bench ${seconds} s] ${message}\n`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'keyhouse-bench-'));
  const cleanUp = () => {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  };
  let interrupted = false;
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: stopping every process the benchmark started`);
    void stopAll(2_000).finally(() => {
      cleanUp();
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  // Whatever happens, no child outlives the benchmark.
  process.once('exit', killAllNow);

  try {
    if (options.starts > 0) {
      const starts = await runStarts(options, dir, progress);
      await stopAll();
      process.stdout.write(options.json ? `${JSON.stringify(starts, null, 2)}\n` : renderStarts(starts));
      if (options.keep) progress(`kept ${dir}`);
      return 0;
    }
    const figures = await runBenchmark(options, dir, progress);
    progress('stopping the apps');
    await stopAll();
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ ...figures, rows: rows(figures) }, null, 2)}\n`
        : renderTable(figures),
    );
    if (options.keep) progress(`kept ${dir}`);
    return 0;
  } catch (error) {
    progress(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await stopAll();
    cleanUp();
  }
}

process.exitCode = await main();
