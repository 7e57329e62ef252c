/**
 * `npm run playground [-- --policy FILE] [-- --port N]`: Keyhouse in a browser, without a Slack
 * workspace or a ClickHouse account. Prints the one URL to open, then runs until Ctrl-C.
 */
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { describeExit, startPlayground } from './start.js';

const USAGE = 'usage: npm run playground [-- --policy FILE] [-- --port N]';

async function main(): Promise<void> {
  let policy: string | undefined;
  let port = 8125;
  try {
    const { values } = parseArgs({
      options: { policy: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    policy = values.policy;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new Error(`--port ${values.port} is not a port`);
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }

  // A busy port is found before the emulator, the fake Slack and Keyhouse are started for nothing.
  const busy = await portInUse(port);
  if (busy !== null) {
    process.stderr.write(`playground: ${busy}\n`);
    process.exitCode = 1;
    return;
  }

  // PLAYGROUND_ACK_TIMEOUT_MS: for the browser test on a loaded machine; Slack itself waits 3 s.
  const ackTimeout = Number(process.env.PLAYGROUND_ACK_TIMEOUT_MS ?? '');
  const playground = await startPlayground({
    ...(policy === undefined ? {} : { policyPath: policy }),
    port,
    ...(Number.isInteger(ackTimeout) && ackTimeout > 0 ? { ackTimeoutMs: ackTimeout } : {}),
  });
  process.stdout.write(
    `Keyhouse playground: open ${playground.url}\n` +
      `  (Keyhouse's log: ${playground.logFile}; Ctrl-C stops everything)\n` +
      `  A Vault (${playground.vault.url}) and GitHub stand behind it: request a Terraform key with Deliver to\n` +
      `  "Vault" or "GitHub Actions", approve it as Bob or Carol, and watch it arrive here and in the page's\n` +
      `  Destinations panel; its secret stays there.\n`,
  );
  // Each key written into a destination, as it lands: the very lines the page's panel lists (never a secret).
  const printed = new Set<string>();
  const printArrivals = () => {
    for (const arrival of playground.destinations.view().arrivals) {
      if (printed.has(arrival.id)) continue;
      printed.add(arrival.id);
      process.stdout.write(`${arrival.line}\n`);
    }
  };
  let waiting = false;
  playground.destinations.onChange(() => {
    // Several requests make one delivery (a token, a public key, two secrets): one look once they settle.
    if (waiting) return;
    waiting = true;
    setTimeout(() => {
      waiting = false;
      printArrivals();
    }, 50);
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void playground.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  void playground.keyhouseExited.then((exit) => {
    if (stopping) return;
    // The log is kept when Keyhouse stops on its own (start.ts), so this path still exists.
    process.stderr.write(
      `Keyhouse stopped with ${describeExit(exit)}; its log is kept at ${playground.logFile}\n`,
    );
    stopping = true;
    void playground.close().then(() => process.exit(1));
  });
}

/** Why the page cannot listen on `port` (in use, not allowed), with what to do; null when it can. */
async function portInUse(port: number): Promise<string | null> {
  if (port === 0) return null;
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        resolve(
          `port ${port} on 127.0.0.1 is in use (another playground, or another program); ` +
            'pick another with --port, e.g. `npm run playground -- --port 9000`, or `--port 0` for a free one',
        );
      } else if (error.code === 'EACCES') {
        resolve(
          `port ${port} may not be used by this user; pick one above 1023 with --port, e.g. --port 9000`,
        );
      } else {
        resolve(`cannot listen on port ${port}: ${error.message}`);
      }
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(null)));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`playground: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
