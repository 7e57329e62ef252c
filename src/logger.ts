import type { Logger as BoltLogger } from '@slack/bolt';
import pino from 'pino';
import { LogLevel } from './bolt.js';

/**
 * The one logger: pino, with the places a credential could sit redacted before a line is written.
 * Redaction is a second line of defence; the first is that secrets travel as `Secret`, which prints
 * `[redacted secret]` wherever it ends up (product.md §3).
 */

const REDACTED = '[redacted]';

// Field names that hold credentials, wherever they appear up to two levels deep
// (`{ token }`, `{ slack: { token } }`, `{ req: { headers: { authorization } } }`).
const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'cookie',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'clientSecret',
  'keySecret',
  'secret',
  'password',
];

/**
 * The pino `redact` paths used by `createLogger`. The `args[*]` forms cover the objects the Bolt
 * adapter keeps under `args`, to the same depth as everything else.
 */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
  `args[*].*.${field}`,
  `args[*].*.*.${field}`,
]);

export interface LoggerOptions {
  /** A pino level: fatal, error, warn, info, debug, trace or silent. */
  level: string;
  /** Where lines go; stdout when omitted. Tests pass an in-memory stream. */
  destination?: pino.DestinationStream;
  name?: string;
}

/** Creates the application's root logger (JSON lines, redacted, standard `err` serializer). */
export function createLogger(options: LoggerOptions): pino.Logger {
  const pinoOptions: pino.LoggerOptions = {
    level: options.level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { err: pino.stdSerializers.err },
    ...(options.name ? { name: options.name } : {}),
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

type BoltMethod = 'debug' | 'info' | 'warn' | 'error';

const BOLT_LEVELS: readonly string[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];

/**
 * Bridges pino into Bolt (and the WebClient and Socket Mode client, which share Bolt's logger).
 * Each variadic call becomes one line: strings and numbers join into `msg`, the first `Error`
 * goes to `err`, and other objects stay structured under `args` (so redaction still applies).
 *
 * Levels and names are the adapter's own (a pino child), so Bolt's `setLevel` never changes the
 * application's logger. Bolt calls `setLevel(INFO)` unless its App is given `logLevel`; pass
 * `logLevel: adapter.getLevel()` to keep the configured level.
 */
export function boltLogger(logger: pino.Logger): BoltLogger {
  let name = 'bolt';
  let target = logger.child({ component: name });

  const write = (method: BoltMethod, args: unknown[]): void => {
    if (!target.isLevelEnabled(method)) return;
    const words: string[] = [];
    const objects: unknown[] = [];
    let err: Error | undefined;
    for (const arg of args) {
      if (arg instanceof Error) {
        if (err === undefined) err = arg;
        else objects.push(pino.stdSerializers.err(arg));
      } else if (typeof arg === 'object' && arg !== null) {
        objects.push(arg);
      } else {
        words.push(String(arg));
      }
    }
    const fields: { err?: Error; args?: unknown[] } = {};
    if (err) fields.err = err;
    if (objects.length > 0) fields.args = objects;
    target[method](fields, words.join(' ') || err?.message || '');
  };

  return {
    debug: (...msg: unknown[]) => write('debug', msg),
    info: (...msg: unknown[]) => write('info', msg),
    warn: (...msg: unknown[]) => write('warn', msg),
    error: (...msg: unknown[]) => write('error', msg),
    setLevel(level: LogLevel): void {
      const wanted = String(level).toLowerCase();
      if (BOLT_LEVELS.includes(wanted)) target.level = wanted;
    },
    getLevel(): LogLevel {
      switch (target.level) {
        case 'trace':
        case 'debug':
          return LogLevel.DEBUG;
        case 'info':
          return LogLevel.INFO;
        case 'warn':
          return LogLevel.WARN;
        default:
          return LogLevel.ERROR;
      }
    },
    setName(newName: string): void {
      if (newName === name) return;
      const level = target.level;
      name = newName;
      target = logger.child({ component: name });
      target.level = level;
    },
  };
}
