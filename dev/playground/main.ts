/**
 * `npm run playground [-- --policy FILE] [-- --port N]`: Keyhouse in a browser, without a Slack
 * workspace or a ClickHouse account. Prints the one URL to open, then runs until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { startPlayground } from './start.js';

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

  // PLAYGROUND_ACK_TIMEOUT_MS: for the browser test on a loaded machine; Slack itself waits 3 s.
  const ackTimeout = Number(process.env.PLAYGROUND_ACK_TIMEOUT_MS ?? '');
  const playground = await startPlayground({
    ...(policy === undefined ? {} : { policyPath: policy }),
    port,
    ...(Number.isInteger(ackTimeout) && ackTimeout > 0 ? { ackTimeoutMs: ackTimeout } : {}),
  });
  process.stdout.write(
    `Keyhouse playground: open ${playground.url}\n` +
      `  (Keyhouse's log: ${playground.logFile}; Ctrl-C stops everything)\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void playground.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  void playground.keyhouseExited.then((code) => {
    if (stopping) return;
    process.stderr.write(`Keyhouse stopped (exit code ${code}); see ${playground.logFile}\n`);
    stopping = true;
    void playground.close().then(() => process.exit(1));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`playground: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
