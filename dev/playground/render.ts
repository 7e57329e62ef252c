/**
 * Block Kit as HTML, the way a Slack client lays it out. Interactive elements carry their block and
 * action ids in `data-` attributes; the page script sends those (and what was chosen) back, and
 * the server reads everything else from the message or view itself. All text is escaped.
 */
import { actionIdOf, blockIdOf, isObject, type Json } from './blocks.js';
import { escapeHtml, mrkdwn, type Names, textObject } from './mrkdwn.js';
import type { PageValues } from './slack-side.js';

export interface RenderContext {
  names: Names;
  now: Date;
  /** The people a `users_select` offers. */
  people: { id: string; name: string }[];
  /** For modals: field errors by block id, and the values the person already entered. */
  errors?: Record<string, string>;
  values?: PageValues;
}

const attr = (value: string) => escapeHtml(value);

function text(value: unknown, ctx: RenderContext): string {
  return textObject(value, ctx.names, ctx.now);
}

function plainOf(value: unknown): string {
  return isObject(value) && typeof value.text === 'string' ? value.text : '';
}

/** A list of blocks. */
export function renderBlocks(blocks: unknown, ctx: RenderContext): string {
  if (!Array.isArray(blocks)) return '';
  return blocks.map((block, index) => (isObject(block) ? renderBlock(block, index, ctx) : '')).join('');
}

function renderBlock(block: Json, index: number, ctx: RenderContext): string {
  const blockId = blockIdOf(block, index);
  const data = `data-block="${attr(blockId)}"`;
  switch (block.type) {
    case 'section': {
      const body = block.text === undefined ? '' : `<div class="text">${text(block.text, ctx)}</div>`;
      const fields = Array.isArray(block.fields)
        ? `<div class="fields">${block.fields.map((f) => `<div>${text(f, ctx)}</div>`).join('')}</div>`
        : '';
      const accessory = isObject(block.accessory)
        ? `<div class="accessory">${renderElement(block.accessory, block, blockId, 0, ctx)}</div>`
        : '';
      return `<div class="block section" ${data}><div class="main">${body}${fields}</div>${accessory}</div>`;
    }
    case 'context': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      const items = elements
        .map((e) =>
          isObject(e) && e.type === 'image'
            ? `<span class="img" title="${attr(String(e.alt_text ?? ''))}">🖼</span>`
            : `<span>${text(e, ctx)}</span>`,
        )
        .join('');
      return `<div class="block context" ${data}>${items}</div>`;
    }
    case 'actions': {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      const items = elements
        .map((e, position) => (isObject(e) ? renderElement(e, block, blockId, position, ctx) : ''))
        .join('');
      return `<div class="block actions" ${data}>${items}</div>`;
    }
    case 'input': {
      const element = isObject(block.element) ? block.element : null;
      const error = ctx.errors?.[blockId];
      const optional = block.optional === true ? ' <span class="optional">(optional)</span>' : '';
      return [
        `<div class="block input${error ? ' has-error' : ''}" ${data}>`,
        `<label class="label">${escapeHtml(plainOf(block.label))}${optional}</label>`,
        element ? renderElement(element, block, blockId, 0, ctx) : '',
        error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : '',
        block.hint === undefined ? '' : `<div class="hint">${text(block.hint, ctx)}</div>`,
        '</div>',
      ].join('');
    }
    case 'header':
      return `<h3 class="block header" ${data}>${escapeHtml(plainOf(block.text))}</h3>`;
    case 'divider':
      return `<hr class="block divider" ${data}>`;
    case 'image': {
      const title = block.title === undefined ? '' : `<div class="hint">${text(block.title, ctx)}</div>`;
      return `<div class="block image" ${data}>${title}<span class="img">🖼 ${escapeHtml(String(block.alt_text ?? ''))}</span></div>`;
    }
    case 'rich_text':
      return `<div class="block rich" ${data}>${richElements(block.elements, ctx)}</div>`;
    case 'markdown':
      return `<div class="block markdown" ${data}><pre>${escapeHtml(String(block.text ?? ''))}</pre></div>`;
    default:
      return `<div class="block unknown" ${data}>[a ${escapeHtml(String(block.type))} block]</div>`;
  }
}

/** The page's control for one element; `data-act` says what the page does with it. */
function renderElement(
  element: Json,
  block: Json,
  blockId: string,
  position: number,
  ctx: RenderContext,
): string {
  const actionId = actionIdOf(element, blockId, position);
  const ids = `data-block="${attr(blockId)}" data-action="${attr(actionId)}"`;
  const inInput = block.type === 'input';
  // In an input block an element only holds a value, unless the block dispatches its changes.
  const dispatch = !inInput || block.dispatch_action === true ? ' data-dispatch="1"' : '';
  const given = ctx.values?.[blockId]?.[actionId];
  const placeholder = plainOf(element.placeholder);
  switch (element.type) {
    case 'button': {
      const style = element.style === 'primary' || element.style === 'danger' ? ` ${element.style}` : '';
      const confirm = isObject(element.confirm)
        ? ` data-confirm="${attr(
            JSON.stringify({
              title: plainOf(element.confirm.title),
              text: text(element.confirm.text, ctx),
              confirm: plainOf(element.confirm.confirm) || 'Yes',
              deny: plainOf(element.confirm.deny) || 'Cancel',
              style: element.confirm.style ?? null,
            }),
          )}"`
        : '';
      const url =
        typeof element.url === 'string' && /^https?:/i.test(element.url)
          ? ` data-url="${attr(element.url)}"`
          : '';
      return `<button type="button" class="btn${style}" data-act="button" ${ids}${confirm}${url}>${escapeHtml(plainOf(element.text))}</button>`;
    }
    case 'overflow': {
      const options = (Array.isArray(element.options) ? element.options : [])
        .filter(isObject)
        .map(
          (o) =>
            `<button type="button" class="menu-item" data-act="overflow" ${ids} data-value="${attr(String(o.value ?? ''))}">${escapeHtml(plainOf(o.text))}</button>`,
        )
        .join('');
      return `<details class="overflow"><summary aria-label="More actions">⋯</summary><div class="menu">${options}</div></details>`;
    }
    case 'static_select': {
      const chosen = typeof given === 'string' ? given : initialValue(element.initial_option);
      const options = (Array.isArray(element.options) ? element.options : [])
        .filter(isObject)
        .map((o) => {
          const value = String(o.value ?? '');
          const selected = value === chosen ? ' selected' : '';
          return `<option value="${attr(value)}"${selected}>${escapeHtml(plainOf(o.text))}</option>`;
        })
        .join('');
      const none = `<option value=""${chosen ? '' : ' selected'} disabled>${escapeHtml(placeholder || 'Select an item')}</option>`;
      return `<select data-act="select" data-input="1" ${ids}${dispatch}>${none}${options}</select>`;
    }
    case 'users_select': {
      const chosen = typeof given === 'string' ? given : String(element.initial_user ?? '');
      const options = ctx.people
        .map(
          (p) =>
            `<option value="${attr(p.id)}"${p.id === chosen ? ' selected' : ''}>${escapeHtml(p.name)}</option>`,
        )
        .join('');
      const none = `<option value=""${chosen ? '' : ' selected'} disabled>${escapeHtml(placeholder || 'Select a person')}</option>`;
      return `<select data-act="select" data-input="1" ${ids}${dispatch}>${none}${options}</select>`;
    }
    case 'radio_buttons': {
      const chosen = typeof given === 'string' ? given : initialValue(element.initial_option);
      const name = `r-${blockId}-${actionId}`;
      const options = (Array.isArray(element.options) ? element.options : [])
        .filter(isObject)
        .map((o) => {
          const value = String(o.value ?? '');
          const checked = value === chosen ? ' checked' : '';
          return `<label class="radio"><input type="radio" name="${attr(name)}" value="${attr(value)}" data-act="radio" data-input="1" ${ids}${dispatch}${checked}> ${text(o.text, ctx)}</label>`;
        })
        .join('');
      return `<div class="radios">${options}</div>`;
    }
    case 'checkboxes': {
      const chosen = Array.isArray(given)
        ? given
        : (Array.isArray(element.initial_options) ? element.initial_options : []).map(initialValue);
      const options = (Array.isArray(element.options) ? element.options : [])
        .filter(isObject)
        .map((o) => {
          const value = String(o.value ?? '');
          const checked = chosen.includes(value) ? ' checked' : '';
          return `<label class="radio"><input type="checkbox" value="${attr(value)}" data-act="checkbox" data-input="1" ${ids}${checked}> ${text(o.text, ctx)}</label>`;
        })
        .join('');
      return `<div class="radios">${options}</div>`;
    }
    case 'datepicker': {
      const chosen = typeof given === 'string' ? given : String(element.initial_date ?? '');
      return `<input type="date" data-act="date" data-input="1" ${ids}${dispatch} value="${attr(chosen)}">`;
    }
    case 'plain_text_input': {
      const value = typeof given === 'string' ? given : String(element.initial_value ?? '');
      const max = typeof element.max_length === 'number' ? ` maxlength="${element.max_length}"` : '';
      const hold = placeholder ? ` placeholder="${attr(placeholder)}"` : '';
      return element.multiline === true
        ? `<textarea rows="3" data-act="text" data-input="1" ${ids}${max}${hold}>${escapeHtml(value)}</textarea>`
        : `<input type="text" data-act="text" data-input="1" ${ids}${max}${hold} value="${attr(value)}">`;
    }
    case 'image':
      return `<span class="img" title="${attr(String(element.alt_text ?? ''))}">🖼</span>`;
    default:
      return `<span class="unknown">[a ${escapeHtml(String(element.type))} element]</span>`;
  }
}

function initialValue(option: unknown): string {
  return isObject(option) && typeof option.value === 'string' ? option.value : '';
}

/** `rich_text` elements: sections, lists, preformatted text and quotes with styled runs. */
function richElements(elements: unknown, ctx: RenderContext): string {
  if (!Array.isArray(elements)) return '';
  return elements
    .filter(isObject)
    .map((element) => {
      switch (element.type) {
        case 'rich_text_section':
          return `<div>${richRuns(element.elements, ctx)}</div>`;
        case 'rich_text_preformatted':
          return `<pre>${richRuns(element.elements, ctx)}</pre>`;
        case 'rich_text_quote':
          return `<div class="quote">${richRuns(element.elements, ctx)}</div>`;
        case 'rich_text_list': {
          const tag = element.style === 'ordered' ? 'ol' : 'ul';
          const items = (Array.isArray(element.elements) ? element.elements : [])
            .filter(isObject)
            .map((item) => `<li>${richRuns(item.elements, ctx)}</li>`)
            .join('');
          return `<${tag}>${items}</${tag}>`;
        }
        default:
          return '';
      }
    })
    .join('');
}

function richRuns(runs: unknown, ctx: RenderContext): string {
  if (!Array.isArray(runs)) return '';
  return runs
    .filter(isObject)
    .map((run) => {
      let html: string;
      switch (run.type) {
        case 'text':
          html = escapeHtml(String(run.text ?? '')).replace(/\n/g, '<br>');
          break;
        case 'link': {
          const url = String(run.url ?? '');
          const label = escapeHtml(String(run.text ?? url));
          html = /^https?:/i.test(url)
            ? `<a href="${attr(url)}" target="_blank" rel="noopener noreferrer">${label}</a>`
            : label;
          break;
        }
        case 'user':
          html = `<span class="mention">@${escapeHtml(ctx.names.user(String(run.user_id ?? '')))}</span>`;
          break;
        case 'channel':
          html = `<span class="mention">#${escapeHtml(ctx.names.channel(String(run.channel_id ?? '')))}</span>`;
          break;
        case 'emoji':
          html =
            typeof run.unicode === 'string' ? codePoints(run.unicode) : `:${escapeHtml(String(run.name))}:`;
          break;
        case 'date':
          html = mrkdwn(
            `<!date^${Number(run.timestamp)}^${String(run.format ?? '{date_short}')}|>`,
            ctx.names,
            ctx.now,
          );
          break;
        default:
          html = '';
      }
      const style = isObject(run.style) ? run.style : {};
      if (style.code === true) html = `<code>${html}</code>`;
      if (style.bold === true) html = `<b>${html}</b>`;
      if (style.italic === true) html = `<i>${html}</i>`;
      if (style.strike === true) html = `<s>${html}</s>`;
      return html;
    })
    .join('');
}

function codePoints(unicode: string): string {
  const points = unicode.split('-').map((hex) => Number.parseInt(hex, 16));
  return points.every((p) => Number.isInteger(p) && p > 0 && p <= 0x10ffff)
    ? escapeHtml(String.fromCodePoint(...points))
    : '';
}

/** A message's body: its blocks, or its `text` as mrkdwn when it has none. */
export function renderMessageBody(body: { text?: unknown; blocks?: unknown }, ctx: RenderContext): string {
  if (Array.isArray(body.blocks) && body.blocks.length > 0) return renderBlocks(body.blocks, ctx);
  return typeof body.text === 'string'
    ? `<div class="text">${mrkdwn(body.text, ctx.names, ctx.now)}</div>`
    : '';
}
