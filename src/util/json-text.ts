export const NOT_JSON = Symbol('not json');

/** A response body parsed: undefined when empty, `NOT_JSON` when it is not JSON. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}
