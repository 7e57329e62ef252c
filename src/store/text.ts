/**
 * Text as both databases can hold it. PostgreSQL refuses a NUL in `text` and in `jsonb`, and a lone
 * surrogate in `jsonb`; both drivers send text as UTF-8, which turns a lone surrogate into U+FFFD
 * on its way. A key named in the console with such a character (drift audits it) would then be
 * refused on one backend and stored differently from what was hashed on the other. So every string
 * the store writes is made storable first, the same way on both: each NUL and each lone surrogate
 * becomes U+FFFD, the replacement character, before it is hashed, bound or turned into JSON.
 */
import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL is exactly what it must find.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with every NUL and lone surrogate replaced by U+FFFD (unchanged, and not copied, when there is none). */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

/** A parsed JSON `value` with every string in it, object keys included, made storable. */
function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [storableText(key), storableJson(member)]),
  ) as T;
}

class StorableTextTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return typeof node.value === 'string' ? { ...node, value: storableText(node.value) } : node;
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return { ...node, values: node.values.map((v) => (typeof v === 'string' ? storableText(v) : v)) };
  }
}

/** Makes every string parameter of every query storable, so no write or lookup differs by backend. */
export class StorableTextPlugin implements KyselyPlugin {
  readonly #transformer = new StorableTextTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** A value the store cannot hold for what it is (not for the database being away): retrying cannot help. */
export class UnstorableValueError extends Error {
  override readonly name = 'UnstorableValueError';
}

/**
 * JSON text for a JSON column, every string in it made storable; null for null. It is exactly what
 * reading the column back parses (a Date as its ISO text, `toJSON` applied, undefined members
 * gone), so a hash over the parsed text is a hash over what is stored. Throws
 * `UnstorableValueError` for what is not JSON (a BigInt, a cycle), naming the column, never the value.
 */
export function jsonText(column: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  let plain: unknown;
  try {
    plain = JSON.parse(JSON.stringify(value) as string);
  } catch (error) {
    const kind = error instanceof Error ? error.name : 'unknown';
    throw new UnstorableValueError(`${column} is not JSON (${kind})`, { cause: error });
  }
  return JSON.stringify(storableJson(plain));
}
