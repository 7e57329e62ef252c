import { inspect } from 'node:util';

/** Every way an error might be shown: message, JSON, inspect (with its cause chain), the stack. */
export function renderings(error: unknown): string[] {
  const out = [String(error), JSON.stringify(error), inspect(error, { depth: 10 })];
  for (let e: unknown = error; e instanceof Error; e = e.cause) out.push(e.stack ?? '', e.message);
  return out;
}
