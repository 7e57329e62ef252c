/**
 * The pieces of Bolt Keyhouse runs, each from its own module. `@slack/bolt`'s index also requires its
 * ExpressReceiver (Express, body-parser, qs, send, …) and AwsLambdaReceiver, which Keyhouse never
 * uses: 116 module files, about 6 MiB of RSS and 40 ms of a start (BENCHMARKS.md, issue 21).
 * These are the very classes the index re-exports (the same files in Node's module cache, so the same
 * objects and types); types keep coming from `@slack/bolt`. `require` takes each class from
 * `exports.default` the same way under Node and under the test runner (whose ES interop would
 * unwrap `default` itself). test/start-imports.test.ts keeps the index out of a start.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const app = require('@slack/bolt/dist/App.js') as typeof import('@slack/bolt/dist/App.js');
const errors = require('@slack/bolt/dist/errors.js') as typeof import('@slack/bolt/dist/errors.js');
const http =
  require('@slack/bolt/dist/receivers/HTTPReceiver.js') as typeof import('@slack/bolt/dist/receivers/HTTPReceiver.js');
const socket =
  require('@slack/bolt/dist/receivers/SocketModeReceiver.js') as typeof import('@slack/bolt/dist/receivers/SocketModeReceiver.js');

export const App = app.default;
export type App = InstanceType<typeof App>;
export const LogLevel = app.LogLevel;
export type LogLevel = import('@slack/bolt').LogLevel;
export const AuthorizationError = errors.AuthorizationError;
export const HTTPReceiver = http.default;
export const SocketModeReceiver = socket.default;
