/**
 * Preloaded (`--import`) into both benchmarked apps alike, through the IPC channel the benchmark
 * opens to each:
 * - asked `memory`, it answers with `process.memoryUsage()` and V8's heap spaces, which tell apart
 *   what `/proc/<pid>/status` lumps together as anonymous memory;
 * - if the benchmark goes away without stopping the app (SIGKILL), the channel closes and the app
 *   stops itself with SIGTERM, so its own shutdown runs.
 */
import { getHeapSpaceStatistics } from 'node:v8';

/** What the probe answers; sizes in bytes. */
export interface ProbeReport {
  memory: NodeJS.MemoryUsage;
  /** Committed size of each V8 heap space (`new_space`, `old_space`, `code_space`, …). */
  spaces: Record<string, { size: number; used: number }>;
}

if (process.send) {
  const send = process.send.bind(process);
  process.on('message', (message) => {
    if (message !== 'memory') return;
    const spaces: ProbeReport['spaces'] = {};
    for (const space of getHeapSpaceStatistics()) {
      spaces[space.space_name] = { size: space.space_size, used: space.space_used_size };
    }
    const report: ProbeReport = { memory: process.memoryUsage(), spaces };
    send(report);
  });
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // The channel must not keep an app alive that would otherwise exit.
  process.channel?.unref();
}
