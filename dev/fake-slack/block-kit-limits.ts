/**
 * An offline Block Kit limit checker (slack-platform.md §3). Slack publishes no schema for Block Kit, so the
 * fake Web API uses this to reject what Slack would reject, and view tests can call it directly.
 *
 * Every problem is one string in Slack's own style: `<what is wrong> [json-pointer:/blocks/0/text/text]`.
 * Lengths are counted in UTF-16 code units (`String#length`), which is never less than Slack's character
 * count, so text that passes here also fits in Slack.
 */

export type Surface = 'message' | 'modal' | 'home';

/** The numbers the checker enforces, exported so tests can build payloads exactly at and over each limit. */
export const BLOCK_KIT_LIMITS = {
  blocks: { message: 50, modal: 100, home: 100 },
  /** `text` at the top of a message; Slack truncates above this and `chat.*` answers `msg_too_long`. */
  messageText: 40_000,
  attachments: 100,
  text: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  header: 150,
  markdownBlock: 12_000,
  actionsElements: 25,
  contextElements: 10,
  id: 255,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  accessibilityLabel: 75,
  placeholder: 150,
  optionText: 75,
  /** @slack/types says 75, the current docs 150; the stricter number keeps us safe under both. */
  optionValue: 75,
  optionDescription: 75,
  selectOptions: 100,
  optionGroups: 100,
  optionGroupLabel: 75,
  overflowOptions: { min: 2, max: 5 },
  choiceOptions: 10,
  textInputLength: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  imageAltText: 2000,
  confirm: { title: 100, text: 300, button: 30 },
  view: { title: 24, button: 24, privateMetadata: 3000, callbackId: 255, externalId: 255, bytes: 250_000 },
} as const;

type Json = Record<string, unknown>;

const SECTION_ACCESSORIES = new Set([
  'button',
  'checkboxes',
  'datepicker',
  'image',
  'overflow',
  'radio_buttons',
  'timepicker',
  'workflow_button',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
]);
const ACTIONS_ELEMENTS = new Set([...SECTION_ACCESSORIES, 'datetimepicker', 'rich_text_input']);
ACTIONS_ELEMENTS.delete('image');
const INPUT_ELEMENTS = new Set([
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'file_input',
  'number_input',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'timepicker',
  'url_text_input',
  'static_select',
  'external_select',
  'users_select',
  'conversations_select',
  'channels_select',
  'multi_static_select',
  'multi_external_select',
  'multi_users_select',
  'multi_conversations_select',
  'multi_channels_select',
]);
const PASS_THROUGH_BLOCKS = new Set(['rich_text', 'file', 'video', 'call', 'context_actions']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects problems while walking one surface; holds what must be unique across it. */
class Walk {
  readonly problems: string[] = [];
  readonly blockIds = new Map<string, string>();
  focusOnLoad = 0;

  fail(pointer: string, message: string): void {
    this.problems.push(`${message} [json-pointer:${pointer}]`);
  }

  /** A string field: absent is fine unless required; otherwise a string of allowed length. */
  string(
    value: unknown,
    pointer: string,
    max: number,
    options: { required?: boolean; min?: number } = {},
  ): void {
    if (value === undefined) {
      if (options.required) this.fail(pointer, 'is required');
      return;
    }
    if (typeof value !== 'string') {
      this.fail(pointer, 'must be a string');
      return;
    }
    const min = options.min ?? 0;
    if (value.length < min) this.fail(pointer, `must be at least ${min} characters (got ${value.length})`);
    if (value.length > max) this.fail(pointer, `must be at most ${max} characters (got ${value.length})`);
  }

  /** A composition text object (`plain_text` / `mrkdwn`), 1..max characters. */
  text(
    value: unknown,
    pointer: string,
    max: number,
    options: { required?: boolean; plainOnly?: boolean } = {},
  ): void {
    if (value === undefined) {
      if (options.required) this.fail(pointer, 'is required');
      return;
    }
    if (!isObject(value)) {
      this.fail(pointer, 'must be a text object');
      return;
    }
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn') {
      this.fail(`${pointer}/type`, 'must be plain_text or mrkdwn');
    } else if (options.plainOnly && value.type !== 'plain_text') {
      this.fail(`${pointer}/type`, 'must be plain_text');
    }
    this.string(value.text, `${pointer}/text`, max, { required: true, min: 1 });
  }

  id(value: unknown, pointer: string): void {
    this.string(value, pointer, BLOCK_KIT_LIMITS.id, { min: 1 });
  }

  array(value: unknown, pointer: string, min: number, max: number, what: string): unknown[] {
    if (!Array.isArray(value)) {
      this.fail(pointer, `must be an array of ${what}`);
      return [];
    }
    if (value.length < min) this.fail(pointer, `must have at least ${min} ${what} (got ${value.length})`);
    if (value.length > max) this.fail(pointer, `must have at most ${max} ${what} (got ${value.length})`);
    return value;
  }

  blocks(blocks: unknown, surface: Surface, pointer: string): void {
    const list = this.array(blocks, pointer, 0, BLOCK_KIT_LIMITS.blocks[surface], 'blocks');
    list.forEach((block, index) => {
      this.block(block, `${pointer}/${index}`, surface);
    });
  }

  block(block: unknown, pointer: string, surface: Surface): void {
    if (!isObject(block)) {
      this.fail(pointer, 'must be a block object');
      return;
    }
    if (block.block_id !== undefined) {
      this.id(block.block_id, `${pointer}/block_id`);
      if (typeof block.block_id === 'string') {
        const first = this.blockIds.get(block.block_id);
        if (first !== undefined)
          this.fail(`${pointer}/block_id`, `duplicate block_id '${block.block_id}' (first at ${first})`);
        else this.blockIds.set(block.block_id, pointer);
      }
    }
    const L = BLOCK_KIT_LIMITS;
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) {
          this.fail(pointer, 'a section needs text or fields');
        }
        this.text(block.text, `${pointer}/text`, L.text);
        if (block.fields !== undefined) {
          const fields = this.array(block.fields, `${pointer}/fields`, 1, L.sectionFields, 'fields');
          fields.forEach((field, index) => {
            this.text(field, `${pointer}/fields/${index}`, L.sectionFieldText, { required: true });
          });
        }
        if (block.accessory !== undefined)
          this.element(block.accessory, `${pointer}/accessory`, SECTION_ACCESSORIES);
        return;
      }
      case 'header':
        this.text(block.text, `${pointer}/text`, L.header, { required: true, plainOnly: true });
        return;
      case 'divider':
        return;
      case 'actions': {
        const elements = this.array(block.elements, `${pointer}/elements`, 1, L.actionsElements, 'elements');
        // Slack refuses a block whose elements share an action_id (`invalid_blocks`): a click could
        // not say which element was used.
        const actionIds = new Map<string, number>();
        elements.forEach((element, index) => {
          this.element(element, `${pointer}/elements/${index}`, ACTIONS_ELEMENTS);
          if (!isObject(element) || typeof element.action_id !== 'string') return;
          const first = actionIds.get(element.action_id);
          if (first === undefined) actionIds.set(element.action_id, index);
          else
            this.fail(
              `${pointer}/elements/${index}/action_id`,
              `duplicate action_id '${element.action_id}' in one block (first at elements/${first})`,
            );
        });
        return;
      }
      case 'context': {
        const elements = this.array(block.elements, `${pointer}/elements`, 1, L.contextElements, 'elements');
        elements.forEach((element, index) => {
          const at = `${pointer}/elements/${index}`;
          if (isObject(element) && element.type === 'image') this.image(element, at);
          else this.text(element, at, L.text, { required: true });
        });
        return;
      }
      case 'input':
        this.text(block.label, `${pointer}/label`, L.inputLabel, { required: true, plainOnly: true });
        this.text(block.hint, `${pointer}/hint`, L.inputHint, { plainOnly: true });
        if (block.element === undefined) this.fail(`${pointer}/element`, 'is required');
        else this.element(block.element, `${pointer}/element`, INPUT_ELEMENTS);
        return;
      case 'image':
        this.image(block, pointer);
        this.text(block.title, `${pointer}/title`, L.imageAltText, { plainOnly: true });
        return;
      case 'markdown':
        if (surface !== 'message')
          this.fail(`${pointer}/type`, 'markdown blocks are only allowed in messages');
        this.string(block.text, `${pointer}/text`, L.markdownBlock, { required: true, min: 1 });
        return;
      default:
        if (typeof block.type !== 'string' || !PASS_THROUGH_BLOCKS.has(block.type)) {
          this.fail(`${pointer}/type`, `unknown block type ${JSON.stringify(block.type)}`);
        }
    }
  }

  image(image: Json, pointer: string): void {
    if (image.image_url === undefined && image.slack_file === undefined) {
      this.fail(pointer, 'an image needs image_url or slack_file');
    }
    this.string(image.image_url, `${pointer}/image_url`, BLOCK_KIT_LIMITS.url, { min: 1 });
    this.string(image.alt_text, `${pointer}/alt_text`, BLOCK_KIT_LIMITS.imageAltText, {
      required: true,
      min: 1,
    });
  }

  element(element: unknown, pointer: string, allowed: ReadonlySet<string>): void {
    if (!isObject(element)) {
      this.fail(pointer, 'must be an element object');
      return;
    }
    const type = element.type;
    if (typeof type !== 'string' || !allowed.has(type)) {
      this.fail(`${pointer}/type`, `element type ${JSON.stringify(type)} is not allowed here`);
      return;
    }
    const L = BLOCK_KIT_LIMITS;
    if (type !== 'image') this.id(element.action_id, `${pointer}/action_id`);
    if (element.confirm !== undefined) this.confirm(element.confirm, `${pointer}/confirm`);
    this.text(element.placeholder, `${pointer}/placeholder`, L.placeholder, { plainOnly: true });
    if (element.focus_on_load === true) {
      this.focusOnLoad += 1;
      if (this.focusOnLoad > 1)
        this.fail(`${pointer}/focus_on_load`, 'only one element may set focus_on_load');
    }
    switch (type) {
      case 'button':
        this.text(element.text, `${pointer}/text`, L.buttonText, { required: true, plainOnly: true });
        this.string(element.value, `${pointer}/value`, L.buttonValue);
        this.string(element.url, `${pointer}/url`, L.url);
        this.string(element.accessibility_label, `${pointer}/accessibility_label`, L.accessibilityLabel, {
          min: 1,
        });
        if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
          this.fail(`${pointer}/style`, 'must be primary or danger');
        }
        return;
      case 'overflow': {
        const { min, max } = L.overflowOptions;
        const options = this.array(element.options, `${pointer}/options`, min, max, 'options');
        options.forEach((option, index) => {
          this.option(option, `${pointer}/options/${index}`, { allowUrl: true });
        });
        return;
      }
      case 'static_select':
      case 'multi_static_select':
        this.staticSelect(element, pointer);
        return;
      case 'checkboxes':
      case 'radio_buttons': {
        const options = this.array(element.options, `${pointer}/options`, 1, L.choiceOptions, 'options');
        options.forEach((option, index) => {
          this.option(option, `${pointer}/options/${index}`, { allowMrkdwn: true });
        });
        this.initialOptions(element, pointer, options);
        return;
      }
      case 'plain_text_input':
        this.textInputLengths(element, pointer);
        this.string(element.initial_value, `${pointer}/initial_value`, L.textInputLength);
        return;
      case 'datepicker':
        if (element.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(element.initial_date))) {
          this.fail(`${pointer}/initial_date`, 'must be YYYY-MM-DD');
        }
        return;
      case 'datetimepicker':
        if (element.initial_date_time !== undefined && !/^\d{10}$/.test(String(element.initial_date_time))) {
          this.fail(`${pointer}/initial_date_time`, 'must be unix seconds (10 digits)');
        }
        return;
      case 'timepicker':
        if (element.initial_time !== undefined && !/^\d{2}:\d{2}$/.test(String(element.initial_time))) {
          this.fail(`${pointer}/initial_time`, 'must be HH:mm');
        }
        return;
      case 'number_input':
        if (typeof element.is_decimal_allowed !== 'boolean') {
          this.fail(`${pointer}/is_decimal_allowed`, 'is required');
        }
        return;
      case 'image':
        this.image(element, pointer);
        return;
      default:
        return;
    }
  }

  textInputLengths(element: Json, pointer: string): void {
    const max = BLOCK_KIT_LIMITS.textInputLength;
    const { min_length: minLength, max_length: maxLength } = element;
    if (
      minLength !== undefined &&
      (!Number.isInteger(minLength) || (minLength as number) < 0 || (minLength as number) > max)
    ) {
      this.fail(`${pointer}/min_length`, `must be an integer 0..${max}`);
    }
    if (
      maxLength !== undefined &&
      (!Number.isInteger(maxLength) || (maxLength as number) < 1 || (maxLength as number) > max)
    ) {
      this.fail(`${pointer}/max_length`, `must be an integer 1..${max}`);
    }
    if (typeof minLength === 'number' && typeof maxLength === 'number' && minLength > maxLength) {
      this.fail(`${pointer}/min_length`, 'must not exceed max_length');
    }
  }

  staticSelect(element: Json, pointer: string): void {
    const L = BLOCK_KIT_LIMITS;
    const hasOptions = element.options !== undefined;
    const hasGroups = element.option_groups !== undefined;
    if (hasOptions === hasGroups) {
      this.fail(pointer, 'a static select needs exactly one of options or option_groups');
      return;
    }
    const all: unknown[] = [];
    if (hasOptions) {
      const options = this.array(element.options, `${pointer}/options`, 1, L.selectOptions, 'options');
      options.forEach((option, index) => {
        this.option(option, `${pointer}/options/${index}`, {});
      });
      all.push(...options);
    } else {
      const groups = this.array(
        element.option_groups,
        `${pointer}/option_groups`,
        1,
        L.optionGroups,
        'option groups',
      );
      groups.forEach((group, groupIndex) => {
        const at = `${pointer}/option_groups/${groupIndex}`;
        if (!isObject(group)) {
          this.fail(at, 'must be an option group object');
          return;
        }
        this.text(group.label, `${at}/label`, L.optionGroupLabel, { required: true, plainOnly: true });
        const options = this.array(group.options, `${at}/options`, 1, L.selectOptions, 'options');
        options.forEach((option, index) => {
          this.option(option, `${at}/options/${index}`, {});
        });
        all.push(...options);
      });
    }
    this.initialOptions(element, pointer, all);
  }

  /** Slack rejects an initial option that is not one of the element's options (same value and text). */
  initialOptions(element: Json, pointer: string, options: unknown[]): void {
    const key = (option: unknown): string | null =>
      isObject(option) && isObject(option.text)
        ? `${String(option.value)}\u0000${String(option.text.text)}`
        : null;
    const known = new Set(options.map(key));
    const check = (option: unknown, at: string): void => {
      if (!known.has(key(option))) this.fail(at, 'must match one of the options');
    };
    if (element.initial_option !== undefined) check(element.initial_option, `${pointer}/initial_option`);
    if (element.initial_options !== undefined) {
      const initial = this.array(
        element.initial_options,
        `${pointer}/initial_options`,
        0,
        options.length,
        'options',
      );
      initial.forEach((option, index) => {
        check(option, `${pointer}/initial_options/${index}`);
      });
    }
  }

  option(option: unknown, pointer: string, kind: { allowUrl?: boolean; allowMrkdwn?: boolean }): void {
    const L = BLOCK_KIT_LIMITS;
    if (!isObject(option)) {
      this.fail(pointer, 'must be an option object');
      return;
    }
    this.text(option.text, `${pointer}/text`, L.optionText, { required: true, plainOnly: !kind.allowMrkdwn });
    this.string(option.value, `${pointer}/value`, L.optionValue, { required: true, min: 1 });
    this.text(option.description, `${pointer}/description`, L.optionDescription);
    if (option.url !== undefined) {
      if (kind.allowUrl) this.string(option.url, `${pointer}/url`, L.url);
      else this.fail(`${pointer}/url`, 'url is only allowed on overflow options');
    }
  }

  confirm(confirm: unknown, pointer: string): void {
    const L = BLOCK_KIT_LIMITS.confirm;
    if (!isObject(confirm)) {
      this.fail(pointer, 'must be a confirmation dialog object');
      return;
    }
    // The current docs require all four texts, though @slack/types marks some optional; Slack follows the docs.
    this.text(confirm.title, `${pointer}/title`, L.title, { required: true, plainOnly: true });
    this.text(confirm.text, `${pointer}/text`, L.text, { required: true });
    this.text(confirm.confirm, `${pointer}/confirm`, L.button, { required: true, plainOnly: true });
    this.text(confirm.deny, `${pointer}/deny`, L.button, { required: true, plainOnly: true });
    if (confirm.style !== undefined && confirm.style !== 'primary' && confirm.style !== 'danger') {
      this.fail(`${pointer}/style`, 'must be primary or danger');
    }
  }
}

/** Problems with a surface's `blocks` array; empty when Slack would accept it. */
export function checkBlocks(blocks: unknown, surface: Surface, pointer = '/blocks'): string[] {
  const walk = new Walk();
  walk.blocks(blocks, surface, pointer);
  return walk.problems;
}

/** Problems with a modal or Home tab view (as passed to `views.open` / `update` / `push` / `publish`). */
export function checkView(view: unknown, pointer = '/view'): string[] {
  const walk = new Walk();
  if (!isObject(view)) {
    walk.fail(pointer, 'must be a view object');
    return walk.problems;
  }
  const L = BLOCK_KIT_LIMITS.view;
  if (view.type !== 'modal' && view.type !== 'home') {
    walk.fail(`${pointer}/type`, 'must be modal or home');
    return walk.problems;
  }
  walk.blocks(view.blocks, view.type, `${pointer}/blocks`);
  const hasInput =
    Array.isArray(view.blocks) && view.blocks.some((block) => isObject(block) && block.type === 'input');
  if (view.type === 'modal') {
    walk.text(view.title, `${pointer}/title`, L.title, { required: true, plainOnly: true });
    walk.text(view.close, `${pointer}/close`, L.button, { plainOnly: true });
    walk.text(view.submit, `${pointer}/submit`, L.button, { plainOnly: true });
    if (hasInput && view.submit === undefined)
      walk.fail(`${pointer}/submit`, 'is required when the view has input blocks');
  }
  walk.string(view.private_metadata, `${pointer}/private_metadata`, L.privateMetadata);
  walk.string(view.callback_id, `${pointer}/callback_id`, L.callbackId);
  walk.string(view.external_id, `${pointer}/external_id`, L.externalId);
  const bytes = Buffer.byteLength(JSON.stringify(view));
  if (bytes > L.bytes) walk.fail(pointer, `view_too_large: ${bytes} bytes (at most ${L.bytes})`);
  return walk.problems;
}

/** What Slack answers for a message body it refuses: the error code plus Slack-style detail messages. */
export interface MessageRejection {
  error: 'no_text' | 'msg_too_long' | 'invalid_blocks' | 'invalid_attachments' | 'too_many_attachments';
  messages: string[];
}

/**
 * Checks a message body (`chat.postMessage` / `chat.update` / `chat.postEphemeral` arguments or a
 * `response_url` body). Stricter than Slack in one way on purpose: when `blocks` are present the top-level
 * `text` is required (Slack only warns), because notifications and screen readers read it (style.md §4).
 */
export function checkMessage(body: Json): MessageRejection | null {
  const L = BLOCK_KIT_LIMITS;
  const { text, blocks, attachments } = body;
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(attachments) && attachments.length > 0;
  if (typeof text !== 'string' || text.length === 0) {
    if (hasBlocks) {
      return {
        error: 'no_text',
        messages: ['top-level text is required when blocks are present [json-pointer:/text]'],
      };
    }
    if (!hasAttachments) return { error: 'no_text', messages: ['text, blocks or attachments are required'] };
  }
  if (typeof text === 'string' && text.length > L.messageText) {
    return {
      error: 'msg_too_long',
      messages: [`text is ${text.length} characters (at most ${L.messageText})`],
    };
  }
  if (blocks !== undefined) {
    const problems = checkBlocks(blocks, 'message');
    if (problems.length > 0) return { error: 'invalid_blocks', messages: problems };
  }
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) {
      return { error: 'invalid_attachments', messages: ['must be an array [json-pointer:/attachments]'] };
    }
    if (attachments.length > L.attachments) {
      return { error: 'too_many_attachments', messages: [`at most ${L.attachments} attachments`] };
    }
    const problems = attachments.flatMap((attachment, index) =>
      isObject(attachment) && attachment.blocks !== undefined
        ? checkBlocks(attachment.blocks, 'message', `/attachments/${index}/blocks`)
        : [],
    );
    if (problems.length > 0) return { error: 'invalid_attachments', messages: problems };
  }
  return null;
}
