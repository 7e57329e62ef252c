/** The benchmark's table: one row per figure, both apps side by side, the target and PASS/MISS. */
import type { Figures } from './run.js';
import type { Summary } from './stats.js';

/** The issue's targets. */
export const TARGET = {
  ackP99Ratio: 1.3,
  burstListCalls: 3,
  createOverheadP50Ms: 50,
  rssOverBareMb: 30,
  firstAckMs: 1_000,
} as const;

export interface Row {
  figure: string;
  keyhouse: string;
  bare?: string;
  /** Keyhouse / bare Bolt. */
  ratio?: number;
  target?: string;
  /** Set only on rows with a target. */
  pass?: boolean;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const mib = (value: number) => `${value.toFixed(1)} MiB`;
const spread = (summary: Summary) => `${ms(summary.p50)} / ${ms(summary.p99)}`;

/** A figure both apps have, formatted alike, with Keyhouse / bare. */
function compared(figure: string, keyhouse: number, bare: number, format: (v: number) => string): Row {
  return { figure, keyhouse: format(keyhouse), bare: format(bare), ratio: keyhouse / bare };
}

function targeted(row: Row, target: string, pass: boolean): Row {
  return { ...row, target, pass };
}

export function rows(f: Figures): Row[] {
  const { keyhouse, bare } = f.apps;
  const perSecond = (value: number) => value.toFixed(0);
  const helpP99 = compared('/chkey help ack p99', f.help.keyhouse.p99, f.help.bare.p99, ms);
  const listP99 = compared('/chkey list ack p99', f.list.keyhouse.p99, f.list.bare.p99, ms);
  const rssBudget = bare.rssMb + TARGET.rssOverBareMb;
  return [
    targeted(
      compared('first ack after spawn', keyhouse.firstAckMs, bare.firstAckMs, ms),
      `≤ ${TARGET.firstAckMs} ms`,
      keyhouse.firstAckMs <= TARGET.firstAckMs,
    ),
    compared('/chkey help ack p50', f.help.keyhouse.p50, f.help.bare.p50, ms),
    targeted(helpP99, `≤ ${TARGET.ackP99Ratio}× bare`, helpP99.ratio! <= TARGET.ackP99Ratio),
    compared('/chkey help requests/s', f.help.keyhouse.perSecond, f.help.bare.perSecond, perSecond),
    compared('/chkey list ack p50', f.list.keyhouse.p50, f.list.bare.p50, ms),
    targeted(listP99, `≤ ${TARGET.ackP99Ratio}× bare`, listP99.ratio! <= TARGET.ackP99Ratio),
    compared('/chkey list requests/s', f.list.keyhouse.perSecond, f.list.bare.perSecond, perSecond),
    { figure: '/chkey list → list message p50 / p99', keyhouse: spread(f.list.toMessage) },
    compared(
      `/chkey list ack p50 at ${f.list.openLoop.rate}/s (open loop)`,
      f.list.openLoop.keyhouse.p50,
      f.list.openLoop.bare.p50,
      ms,
    ),
    compared(
      `/chkey list ack p99 at ${f.list.openLoop.rate}/s (open loop)`,
      f.list.openLoop.keyhouse.p99,
      f.list.openLoop.bare.p99,
      ms,
    ),
    {
      figure: `  → list message p50 / p99 at ${f.list.openLoop.rate}/s`,
      keyhouse: spread(f.list.openLoop.toMessage),
    },
    {
      figure: 'ClickHouse calls per 100 lists (both list phases)',
      keyhouse: `${f.list.clickhousePer100.toFixed(2)} (${Object.entries(f.list.clickhouse)
        .map(([route, n]) => `${route} ${n}`)
        .join(', ')})`,
    },
    targeted(
      {
        figure: `ClickHouse list calls for ${f.burst.size} concurrent lists`,
        keyhouse: `${f.burst.listKeysCalls} (all calls: ${f.burst.clickhouseCalls})`,
      },
      `≤ ${TARGET.burstListCalls}`,
      f.burst.listKeysCalls <= TARGET.burstListCalls,
    ),
    { figure: `  those ${f.burst.size} lists → list message p50 / p99`, keyhouse: spread(f.burst.toMessage) },
    {
      figure: '  first list sent → ClickHouse list call',
      keyhouse: f.burst.firstCallAfterMs === null ? 'none' : ms(f.burst.firstCallAfterMs),
    },
    {
      figure: 'ClickHouse calls per 100 user actions',
      keyhouse: `${f.clickhouse.per100.toFixed(2)} (${f.clickhouse.calls} / ${f.clickhouse.userActions})`,
    },
    { figure: 'request modal submit ack p50 / p99', keyhouse: spread(f.submit) },
    { figure: 'Approve click ack p50 / p99', keyhouse: spread(f.approve) },
    { figure: 'Create key click ack p50 / p99', keyhouse: spread(f.create.ack) },
    { figure: 'Create key click → secret p50 / p99', keyhouse: spread(f.create.toSecret) },
    { figure: '  emulator time per create p50 / p99', keyhouse: spread(f.create.server) },
    targeted(
      { figure: 'Create key → secret overhead p50', keyhouse: ms(f.create.overhead.p50) },
      `≤ ${TARGET.createOverheadP50Ms} ms`,
      f.create.overhead.p50 <= TARGET.createOverheadP50Ms,
    ),
    { figure: 'Create key → secret overhead p99', keyhouse: ms(f.create.overhead.p99) },
    compared('RSS at first ack (before load)', keyhouse.rssAtFirstAckMb, bare.rssAtFirstAckMb, mib),
    targeted(
      { figure: 'RSS after load', keyhouse: mib(keyhouse.rssMb), bare: mib(bare.rssMb) },
      `≤ bare + ${TARGET.rssOverBareMb} MiB (${rssBudget.toFixed(1)})`,
      keyhouse.rssMb <= rssBudget,
    ),
    compared('  of which anonymous (heap, native)', keyhouse.anonMb, bare.anonMb, mib),
    compared('  of which file-backed (node, libraries)', keyhouse.fileMb, bare.fileMb, mib),
    compared('  V8 heap committed (heapTotal)', keyhouse.v8.heapTotalMb, bare.v8.heapTotalMb, mib),
    compared(
      '    of which new space (young generation)',
      keyhouse.v8.spacesMb.new_space ?? 0,
      bare.v8.spacesMb.new_space ?? 0,
      mib,
    ),
    compared('  V8 heap used (heapUsed)', keyhouse.v8.heapUsedMb, bare.v8.heapUsedMb, mib),
    compared(
      '  outside V8: anonymous − heapTotal',
      keyhouse.anonMb - keyhouse.v8.heapTotalMb,
      bare.anonMb - bare.v8.heapTotalMb,
      mib,
    ),
    compared('peak RSS (VmHWM)', keyhouse.peakRssMb, bare.peakRssMb, mib),
  ];
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

/** The report printed by default: what was measured on what, the table, then any warnings. */
export function renderTable(f: Figures): string {
  const about = Object.entries(f.meta)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(' ') : String(value)}`)
    .join('\n');
  const body = rows(f).map((row) => [
    row.figure,
    row.keyhouse,
    row.bare ?? '',
    row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`,
    row.target ?? '',
    row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS',
  ]);
  const result = table(['figure', 'Keyhouse', 'bare Bolt', 'KH/bare', 'target', 'result'], body);
  const notes = f.warnings.length === 0 ? '' : `\nwarnings:\n${f.warnings.map((w) => `- ${w}`).join('\n')}\n`;
  return `${about}\n\n${result}\n${notes}`;
}
