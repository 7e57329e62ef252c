import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** The one-minute, five-minute and fifteen-minute load averages: other work on a shared machine. */
export function load(): number[] {
  return loadavg().map((value) => Number(value.toFixed(2)));
}

/** What the figures were measured on, and which code. */
export function machine(root: string) {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src'], { cwd: root, encoding: 'utf8' });
    if (dirty.trim() !== '') commit += ' (src/ has uncommitted changes)';
  } catch {
    // Not a git checkout: the figures stand without a commit to pin them to.
  }
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Number((memKb / 2 ** 20).toFixed(1)),
    loadAtStart: load(),
    commit,
  };
}
