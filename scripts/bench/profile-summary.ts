/**
 * Reads a V8 CPU profile written by `npm run bench -- --cpu-prof` and prints where the time went:
 * self and inclusive time by package (or Keyhouse directory), and the hottest functions, optionally
 * within one phase of the run (`phases.json`, written beside the profiles).
 *
 *   npx tsx scripts/bench/profile-summary.ts <dir>/profiles/keyhouse.cpuprofile [--phase "list keyhouse"]
 *     [--top 25] [--match '<regex>' …]
 *
 * `--match` (repeatable) adds the inclusive time of the stacks with a frame matching the regular
 * expression (against `function url:line`), e.g. `--match 'create-respond'` for Bolt's `respond()`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Phase } from './run.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/<package>`, `src/<directory>` for Keyhouse, `node:<module>`, or null (no script). */
function categoryOf(url: string): string | null {
  if (url === '') return null;
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/src\/([^/]+)/.exec(url);
  if (own) return `keyhouse src/${own[1]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*\/(node_modules|build)\//, '').replace(/^file:\/\//, '');
  return `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      phase: { type: 'string' },
      top: { type: 'string', default: '25' },
      match: { type: 'string', multiple: true, default: [] },
    },
  });
  const file = positionals[0];
  if (!file) {
    throw new Error(
      'usage: profile-summary.ts <file.cpuprofile> [--phase <name>] [--top <n>] [--match <re>]',
    );
  }
  const matchers = values.match.map((source) => ({ source, re: new RegExp(source) }));
  const matched = new Map<string, number>();
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  // A phase run in several turns has several windows; a sample counts if it falls in any.
  let windows = [{ startUs: Number.NEGATIVE_INFINITY, endUs: Number.POSITIVE_INFINITY }];
  if (values.phase) {
    const phases = JSON.parse(readFileSync(join(dirname(file), 'phases.json'), 'utf8')) as Phase[];
    windows = phases.filter((p) => p.name === values.phase);
    if (windows.length === 0) {
      const names = [...new Set(phases.map((p) => p.name))];
      throw new Error(`no phase "${values.phase}"; phases: ${names.join(', ')}`);
    }
  }
  const inWindow = (us: number) => windows.some((w) => us >= w.startUs && us <= w.endUs);

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stack = (node: ProfileNode): ProfileNode[] => {
    const frames = [node];
    for (let id = parent.get(node.id); id !== undefined; id = parent.get(id)) frames.push(byId.get(id)!);
    return frames;
  };

  const self = new Map<string, number>();
  const selfByCategory = new Map<string, number>();
  const inclusiveByCategory = new Map<string, number>();
  const inclusiveOwn = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (!inWindow(at)) return;
    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    total += ms;
    const frames = stack(byId.get(id)!);
    const leaf = frames[0]!;
    add(self, frameName(leaf), ms);
    const owner = frames.map((f) => categoryOf(f.callFrame.url)).find((c) => c !== null);
    add(selfByCategory, owner ?? leaf.callFrame.functionName, ms);
    for (const category of new Set(frames.map((f) => categoryOf(f.callFrame.url)))) {
      if (category !== null) add(inclusiveByCategory, category, ms);
    }
    const own = new Set(frames.filter((f) => f.callFrame.url.includes('/src/')).map(frameName));
    for (const name of own) add(inclusiveOwn, name, ms);
    for (const { source, re } of matchers) {
      if (frames.some((f) => re.test(frameName(f)))) add(matched, source, ms);
    }
  });

  const top = Number(values.top);
  const list = (title: string, map: Map<string, number>) => {
    const lines = [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, ms]) =>
          `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${name}`,
      );
    process.stdout.write(`\n-- ${title}\n${lines.join('\n')}\n`);
  };
  process.stdout.write(
    `${file}${values.phase ? ` [${values.phase}]` : ''}: ${total.toFixed(0)} ms sampled\n`,
  );
  list('self time by package / Keyhouse directory', selfByCategory);
  list('inclusive time by package / Keyhouse directory', inclusiveByCategory);
  list('self time by function', self);
  list('inclusive time of Keyhouse functions', inclusiveOwn);
  if (matchers.length > 0) list('inclusive time of stacks matching --match', matched);
}

main();
