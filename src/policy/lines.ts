import { type Document, isNode, LineCounter, parseDocument } from 'yaml';

/**
 * Where a path of the policy document stands in its file, for people who edit it: "roles[1]
 * .maxExpiry, line 14". A path the file does not hold (a default, a missing field) is placed at
 * its nearest written parent, so an answer always points somewhere useful.
 */
export class PolicyLines {
  readonly #document: Document;
  readonly #counter: LineCounter;

  constructor(document: Document, counter: LineCounter) {
    this.#document = document;
    this.#counter = counter;
  }

  /** Reads `text` only for its positions (the policy itself is validated by parsePolicy). */
  static of(text: string, json = false): PolicyLines {
    const counter = new LineCounter();
    const document = parseDocument(text, { lineCounter: counter, schema: json ? 'json' : 'core' });
    return new PolicyLines(document, counter);
  }

  /** The 1-based line of `path`, or of its nearest parent the file holds; null for none. */
  line(path: readonly (string | number)[]): number | null {
    for (let end = path.length; end >= 0; end--) {
      const node = this.#document.getIn(path.slice(0, end), true);
      if (isNode(node) && node.range) return this.#counter.linePos(node.range[0]).line;
    }
    return null;
  }

  /** Whether the file writes `path` itself (not a default). */
  has(path: readonly (string | number)[]): boolean {
    return this.#document.hasIn(path);
  }
}
