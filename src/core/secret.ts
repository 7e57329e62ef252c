import { inspect } from 'node:util';

const REDACTED = '[redacted secret]';

/**
 * A value that must never be printed: logging, JSON-encoding, string interpolation and
 * `util.inspect` all see a placeholder. Only `reveal()` gives the value, so every place that
 * needs it is explicit and easy to audit (product.md §3).
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
