import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * "May this code wait on the network?" Slack must hear an acknowledgement within 3 s whatever
 * ClickHouse's queue or Slack's user-group API are doing, so the step that decides the
 * acknowledgement runs in a no-wait zone: anything that would wait on a slow service throws
 * `WouldWait` there instead (after starting the work in the background where that helps, e.g. a
 * group look-up), and the caller answers "working…" and finishes after the acknowledgement.
 *
 * Services guard themselves with `mayWait()` (the policy's group look-ups) or are wrapped with
 * `refuseWhileNoWait` (the ClickHouse client, the notifier). The store is not guarded: reading and
 * writing it is part of answering a submission (product.md §1).
 */
const zone = new AsyncLocalStorage<true>();

/** Thrown inside a no-wait zone by anything that would have to wait on the network. */
export class WouldWait extends Error {
  override readonly name = 'WouldWait';

  constructor(what: string) {
    super(`${what} would wait on the network before the acknowledgement`);
  }
}

/** Runs `task` so that nothing it calls may wait on the network (see `WouldWait`). */
export function withoutWaiting<T>(task: () => T | Promise<T>): Promise<T> {
  return zone.run(true, async () => task());
}

/**
 * Runs `task` outside any no-wait zone: background work started from inside one (a group look-up)
 * may wait, since nobody waits for it.
 */
export function inBackground<T>(task: () => T): T {
  return zone.exit(task);
}

/** False inside `withoutWaiting`. */
export function mayWait(): boolean {
  return zone.getStore() !== true;
}

export interface NoWaitOptions {
  /** Whether this call is answered from memory (a cached key list), so it may run in a zone. */
  atHand?: (method: string, args: unknown[]) => boolean;
  /**
   * Methods whose effect nobody waits for (a notice, a message rewrite): inside a zone they are
   * started in the background and the caller goes on at once, rather than the effect being lost.
   */
  defer?: readonly string[];
  /** Where a deferred call's failure is reported. */
  onDeferredError?: (error: unknown, method: string) => void;
}

/**
 * `target` with every method refusing (throwing `WouldWait`) inside a no-wait zone, unless it is
 * answered from memory (`atHand`) or may finish in the background (`defer`). Outside a zone the
 * calls go through untouched.
 */
export function refuseWhileNoWait<T extends object>(name: string, target: T, options: NoWaitOptions = {}): T {
  const deferred = new Set(options.defer ?? []);
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      const method = String(property);
      const call = (args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(object, args);
      return (...args: unknown[]) => {
        if (mayWait() || options.atHand?.(method, args) === true) return call(args);
        if (!deferred.has(method)) throw new WouldWait(`${name}.${method}`);
        inBackground(() =>
          Promise.resolve()
            .then(() => call(args))
            .catch((error: unknown) => options.onDeferredError?.(error, method)),
        );
        return Promise.resolve(undefined);
      };
    },
  });
}

/** `task`'s result, or `WOULD_WAIT` when it needed the network inside a no-wait zone. */
export const WOULD_WAIT = Symbol('would wait');

export async function unlessWaiting<T>(task: () => Promise<T>): Promise<T | typeof WOULD_WAIT> {
  try {
    return await task();
  } catch (error) {
    if (error instanceof WouldWait) return WOULD_WAIT;
    throw error;
  }
}
