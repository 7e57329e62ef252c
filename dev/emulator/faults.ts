import type { EmulatorRoute } from './routes.js';

export type FaultStatus = 429 | 500 | 502 | 503 | 400 | 403 | 404;
export type GarbageKind = 'non-json' | 'truncated' | 'wrong-types' | 'trickle';
/**
 * How a create that did create the key goes wrong: a 500, a dropped connection, a 2xx whose
 * result lacks `keySecret` (the spec makes it optional), so the caller knows the new key's id
 * but never got its secret, or no answer at all until the client goes away (`hang`).
 */
export type CreateFailMode = 'status500' | 'drop' | 'no-secret' | 'hang';

/** One planned misbehaviour, used up by one request to its route. */
export type Fault =
  | { kind: 'status'; status: FaultStatus; resetSeconds: number }
  | { kind: 'garbage'; garbage: GarbageKind }
  | { kind: 'createThenFail'; mode: CreateFailMode };

/**
 * Per-route FIFO queues of planned faults, so several can be lined up in the order a test expects.
 * Generic so the other fakes (dev/fake-github) plan their own routes' faults the same way.
 */
export class FaultPlan<Route extends string = EmulatorRoute, Planned = Fault> {
  readonly #queues = new Map<Route, Planned[]>();

  add(route: Route, fault: Planned, count: number): void {
    if (!Number.isInteger(count) || count < 0)
      throw new RangeError(`count must be a whole number, got ${count}`);
    const queue = this.#queues.get(route) ?? [];
    for (let i = 0; i < count; i++) queue.push(fault);
    this.#queues.set(route, queue);
  }

  peek(route: Route): Planned | undefined {
    return this.#queues.get(route)?.[0];
  }

  take(route: Route): Planned | undefined {
    return this.#queues.get(route)?.shift();
  }
}

/**
 * The body of a `wrong-types` answer: the right shape with every leaf of the wrong JSON type
 * (strings become numbers, numbers and booleans strings, null a number).
 */
export function wrongTypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(wrongTypes);
  if (value === null) return 0;
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, wrongTypes(inner)]));
  }
  return value;
}
