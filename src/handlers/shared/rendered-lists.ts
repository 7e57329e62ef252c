/**
 * Key list messages as they were last drawn (product.md §14: `/chkey list` costs about what a
 * static answer costs). A list message depends on the entries the workflow made, the page, and
 * its reader's language and zone: its dates are Slack date tokens, which Slack writes in each
 * reader's zone, and its day words ("in 3 days") change only at the reader's midnight. So a
 * message is drawn once per entries, page and reader, and reused until the reader's next day.
 *
 * The workflow hands out the same frozen entries while nothing they were made from changed
 * (workflow/key-lists.ts), and a new array when anything did; messages are kept by that array,
 * so they go when it goes (its cache is bounded), and a few per array at most.
 */
import type { Reader } from '../../core/locale.js';
import type { KeyEntry } from '../../core/ports.js';
import { deepFreeze } from '../../util/deep-freeze.js';

interface Drawn<M> {
  message: M;
  /** The message as JSON, made the first time it is answered before Bolt (`jsonAtHand`). */
  json?: string;
  /** Epoch ms of the reader's next midnight, from which the day words would be wrong. */
  until: number;
}

/** Pages × readers of one list: one viewer reads it, in one language and zone, a page or a few. */
const MAX_PER_LIST = 8;

export class RenderedLists<M extends object> {
  readonly #byEntries = new WeakMap<readonly KeyEntry[], Map<string, Drawn<M>>>();

  /**
   * The message for `entries`' `page` as `reader` reads it: the one drawn before while it is
   * still right at `now`, else `draw()`, kept until `until` (the reader's next day). The message
   * is frozen: every answer shares it.
   */
  message(
    entries: readonly KeyEntry[],
    page: number,
    reader: Reader,
    now: Date,
    draw: () => { message: M; until: Date },
  ): M {
    let drawn = this.#byEntries.get(entries);
    if (!drawn) {
      drawn = new Map();
      this.#byEntries.set(entries, drawn);
    }
    const id = `${page} ${reader.locale} ${reader.timeZone}`;
    const kept = drawn.get(id);
    if (kept && now.getTime() < kept.until) return kept.message;
    const made = draw();
    drawn.delete(id);
    drawn.set(id, { message: deepFreeze(made.message), until: made.until.getTime() });
    if (drawn.size > MAX_PER_LIST) {
      const oldest = drawn.keys().next();
      if (!oldest.done) drawn.delete(oldest.value);
    }
    return made.message;
  }

  /**
   * The message drawn for `entries`' `page` and `reader` as JSON, when one is kept and still right
   * at `now`; null otherwise (nothing is drawn here). For the answer given before Bolt.
   */
  jsonAtHand(entries: readonly KeyEntry[], page: number, reader: Reader, now: Date): string | null {
    const kept = this.#byEntries.get(entries)?.get(`${page} ${reader.locale} ${reader.timeZone}`);
    if (!kept || now.getTime() >= kept.until) return null;
    kept.json ??= JSON.stringify(kept.message);
    return kept.json;
  }
}
