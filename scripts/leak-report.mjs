#!/usr/bin/env node
/**
 * Turns a gitleaks JSON report into Keyhouse's `POST /leaks/report` (product.md §13): every ClickHouse
 * Cloud secret in it (`4b1d` and 38 letters or digits, gitleaks' rule) is fingerprinted here (SHA-256,
 * base64) and only the fingerprints are sent. The secrets never leave this process and are never
 * printed. Plain Node (20+) with no dependencies, so a CI job or a pre-commit hook can run it from a
 * copy of this one file.
 *
 *   KEYHOUSE_URL=https://keyhouse.example.com LEAK_REPORT_TOKEN=… \
 *     node scripts/leak-report.mjs gitleaks-report.json [--source gitleaks] [--url URL] [--dry-run]
 *
 * `-` reads the report from stdin. In GitHub Actions the URL defaults to the run's page. Exit status:
 * 0 when the report was delivered (or held no ClickHouse secret), 1 when Keyhouse refused it or could
 * not be reached, 2 on a usage or report error.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The ClickHouse Cloud secret format, not inside a longer alphanumeric run (src/core/fingerprint.ts). */
const CANDIDATE = /(?<![A-Za-z0-9])4b1d[A-Za-z0-9]{38}(?![A-Za-z0-9])/g;
/** What Keyhouse takes in one report. */
const PER_REQUEST = 1000;

function fail(code, message) {
  process.stderr.write(`leak-report: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const options = { file: null, source: 'gitleaks', url: null, dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--source') options.source = argv[++i] ?? fail(2, '--source needs a value');
    else if (arg === '--url') options.url = argv[++i] ?? fail(2, '--url needs a value');
    else if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: leak-report <gitleaks-report.json | -> [--source NAME] [--url URL] [--dry-run]\n',
      );
      process.exit(0);
    } else if (options.file === null) options.file = arg;
    else fail(2, `unexpected argument ${JSON.stringify(arg.slice(0, 40))}`);
  }
  if (options.file === null) fail(2, 'give the gitleaks JSON report (or - for stdin)');
  return options;
}

/** Fingerprints of every ClickHouse secret in a gitleaks report (its findings' Secret and Match). */
function fingerprintsOf(report) {
  if (!Array.isArray(report)) throw new Error('a gitleaks JSON report is a list of findings');
  const prints = new Set();
  for (const finding of report) {
    if (typeof finding !== 'object' || finding === null) continue;
    for (const field of ['Secret', 'Match']) {
      const value = finding[field];
      if (typeof value !== 'string') continue;
      for (const secret of value.match(CANDIDATE) ?? []) {
        prints.add(createHash('sha256').update(secret, 'utf8').digest('base64'));
      }
    }
  }
  return [...prints];
}

/** Where a person should look: the CI run in GitHub Actions, unless told. */
function defaultUrl() {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
    ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
    : null;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let report;
  try {
    report = JSON.parse(readFileSync(options.file === '-' ? 0 : options.file, 'utf8'));
  } catch (error) {
    fail(
      2,
      `could not read the report: ${error instanceof Error ? error.message.split('\n')[0] : 'unknown error'}`,
    );
  }
  let prints;
  try {
    prints = fingerprintsOf(report);
  } catch (error) {
    fail(2, error.message);
  }
  if (prints.length === 0) {
    process.stdout.write('leak-report: no ClickHouse Cloud secret in the report; nothing sent\n');
    return;
  }
  if (options.dryRun) {
    process.stdout.write(
      `leak-report: ${prints.length} ClickHouse Cloud secret(s) found; --dry-run, nothing sent\n`,
    );
    return;
  }
  const base = process.env.KEYHOUSE_URL;
  const token = process.env.LEAK_REPORT_TOKEN;
  if (!base || !token) fail(2, 'set KEYHOUSE_URL and LEAK_REPORT_TOKEN');
  const endpoint = new URL('/leaks/report', base);
  const url = options.url ?? defaultUrl();
  for (let i = 0; i < prints.length; i += PER_REQUEST) {
    const body = {
      fingerprints: prints.slice(i, i + PER_REQUEST),
      source: options.source,
      ...(url ? { url } : {}),
    };
    let response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      fail(
        1,
        `could not reach ${endpoint.origin}: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
    }
    if (!response.ok) {
      const said = (await response.text().catch(() => '')).slice(0, 500);
      fail(1, `Keyhouse answered ${response.status}${said ? `: ${said}` : ''}`);
    }
  }
  process.stdout.write(
    `leak-report: ${prints.length} ClickHouse Cloud secret fingerprint(s) sent to Keyhouse\n`,
  );
}

await main();
