import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logger.js';

/** Keyhouse's own logger at `level`, writing its JSON lines where the test can read them. */
export function capturingLogger(level: string): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  return { logger, lines };
}

/**
 * A logger for a test's own Slack WebClient that sends Slack what it must refuse (a duplicate
 * block_id, on purpose): the client's default logger would print Slack's refusal on stderr as an
 * `[ERROR]` line during a passing run. Keyhouse's own client logs through pino (`boltLogger`).
 */
export const silentSlackLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => 'error' as never,
  setName: () => {},
};
