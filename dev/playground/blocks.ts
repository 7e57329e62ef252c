/**
 * Walking the Block Kit an app sent: where its interactive elements are and which ids Slack would
 * give them. Slack makes up a `block_id` (and an `action_id`) when the app leaves it out; the
 * playground derives one from the position, the same for rendering and for `view.state`.
 */
export type Json = Record<string, unknown>;
export type Element = Json & { type?: unknown };

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function blockIdOf(block: Json, index: number): string {
  return typeof block.block_id === 'string' && block.block_id.length > 0
    ? block.block_id
    : `pg-block-${index}`;
}

export function actionIdOf(element: Json, blockId: string, position: number): string {
  return typeof element.action_id === 'string' && element.action_id.length > 0
    ? element.action_id
    : `${blockId}-${position}`;
}

export interface Located {
  block: Json;
  blockId: string;
  element: Element;
  actionId: string;
}

/** Every element that can act or hold a value: section accessories, actions elements, input elements. */
export function elementsOf(blocks: unknown): Located[] {
  if (!Array.isArray(blocks)) return [];
  const found: Located[] = [];
  blocks.forEach((block, index) => {
    if (!isObject(block)) return;
    const blockId = blockIdOf(block, index);
    const candidates: unknown[] =
      block.type === 'section'
        ? [block.accessory]
        : block.type === 'actions'
          ? Array.isArray(block.elements)
            ? block.elements
            : []
          : block.type === 'input'
            ? [block.element]
            : [];
    candidates.forEach((element, position) => {
      if (isObject(element)) {
        found.push({ block, blockId, element, actionId: actionIdOf(element, blockId, position) });
      }
    });
  });
  return found;
}
