/**
 * The playground page's script: shows what the server says this person sees (one Server-Sent
 * Events stream per person) and sends what they do. It decides nothing: which button was clicked,
 * which option was chosen and what was typed go to the server, which builds Slack's payloads.
 * Compiled by `ts.transpileModule` when the playground starts; type-checked with ./tsconfig.json.
 */
interface Conversation {
  id: string;
  kind: 'channel' | 'dm' | 'home';
  name: string;
  html: string;
}
interface Snapshot {
  user: string;
  language: string;
  conversations: Conversation[];
  modal: { id: string; hash: string; html: string } | null;
  toasts: string;
  refusals: string;
  explain: string;
  /** The Destinations panel's content; empty when the page has none. */
  destinations: string;
}
type Values = Record<string, Record<string, string | string[] | null>>;

const $ = <T extends HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`missing ${selector}`);
  return found;
};

const who = $<HTMLSelectElement>('#who');
const language = $<HTMLSelectElement>('#language');
const timeline = $<HTMLDivElement>('#timeline');
const overlay = $<HTMLDivElement>('#overlay');
const confirmBox = $<HTMLDivElement>('#confirm');
const tabs = $<HTMLSpanElement>('#tabs');
/** The Destinations panel, when the playground has destinations behind it. */
const destinations = document.querySelector<HTMLDivElement>('#destinations');
let destinationsShown = '';
const general = document.body.dataset.general ?? '';

const params = new URLSearchParams(location.hash.slice(1));
let user = params.get('as') ?? who.value;
/** A channel id, or `app` (the app, on its Home or Messages tab). */
let conv = params.get('c') ?? general;
let appTab: 'home' | 'messages' = params.get('tab') === 'messages' ? 'messages' : 'home';
let source: EventSource | null = null;
let last: Snapshot | null = null;
const shown = new Map<string, string>();
let modalKey = '';
let modalId = '';
/**
 * What the person entered in the open view, by view id, recorded as they type: any later render
 * of that view (an update from the app, however late it lands) keeps it, as Slack does.
 */
const typedInView = new Map<string, Values>();

who.value = user;

function post(path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, ...body }),
  });
}

function paneId(c: Conversation): string {
  return c.kind === 'channel' ? c.id : c.kind === 'dm' ? 'app:messages' : 'app:home';
}

function currentPane(): string {
  return conv === 'app' ? `app:${appTab}` : conv;
}

function remember(): void {
  const tab = conv === 'app' ? `&tab=${appTab}` : '';
  history.replaceState(null, '', `#as=${user}&c=${conv}${tab}`);
}

function showConversation(): void {
  for (const item of document.querySelectorAll<HTMLElement>('.nav-item')) {
    const on = item.dataset.conv === conv;
    item.classList.toggle('active', on);
    if (on) item.classList.remove('unread');
  }
  const nav = document.querySelector<HTMLElement>(`.nav-item[data-conv="${conv}"]`);
  $('#conv-name').textContent = nav?.dataset.name ?? conv;
  tabs.hidden = conv !== 'app';
  for (const button of tabs.querySelectorAll<HTMLButtonElement>('button')) {
    button.classList.toggle('on', button.dataset.tab === appTab);
  }
  const box = $<HTMLInputElement>('#box');
  box.placeholder = `Message ${nav?.dataset.name ?? ''} — try ${document.body.dataset.command ?? '/chkey'} help`;
  for (const pane of timeline.querySelectorAll<HTMLElement>('section[data-pane]')) {
    pane.hidden = pane.dataset.pane !== currentPane();
  }
  $('#composer').hidden = conv === 'app' && appTab === 'home';
  timeline.scrollTop = timeline.scrollHeight;
  remember();
}

/** What the person has entered in the inputs under `root`, by block id and action id. */
function valuesIn(root: Element | null): Values {
  const values: Values = {};
  if (root === null) return values;
  for (const el of root.querySelectorAll<HTMLElement>('[data-input]')) {
    const block = el.dataset.block ?? '';
    const action = el.dataset.action ?? '';
    values[block] ??= {};
    const slot = values[block];
    if (el instanceof HTMLInputElement && el.type === 'radio') {
      if (el.checked) slot[action] = el.value;
      else slot[action] ??= null;
    } else if (el instanceof HTMLInputElement && el.type === 'checkbox') {
      const list = Array.isArray(slot[action]) ? (slot[action] as string[]) : [];
      if (el.checked) list.push(el.value);
      slot[action] = list;
    } else if (
      el instanceof HTMLInputElement ||
      el instanceof HTMLTextAreaElement ||
      el instanceof HTMLSelectElement
    ) {
      slot[action] = el.value === '' ? null : el.value;
    }
  }
  return values;
}

function restoreValues(root: Element, values: Values): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-input]')) {
    const value = values[el.dataset.block ?? '']?.[el.dataset.action ?? ''];
    if (value === undefined) continue;
    if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')) {
      el.checked = Array.isArray(value) ? value.includes(el.value) : value === el.value;
    } else if (
      el instanceof HTMLInputElement ||
      el instanceof HTMLTextAreaElement ||
      el instanceof HTMLSelectElement
    ) {
      if (value !== null && !Array.isArray(value)) el.value = value;
    }
  }
}

function apply(snapshot: Snapshot): void {
  last = snapshot;
  language.value = snapshot.language;
  for (const c of snapshot.conversations) {
    const id = paneId(c);
    let pane = timeline.querySelector<HTMLElement>(`section[data-pane="${id}"]`);
    if (pane === null) {
      pane = document.createElement('section');
      pane.dataset.pane = id;
      pane.hidden = id !== currentPane();
      timeline.append(pane);
    }
    if (shown.get(id) === c.html) continue;
    const hadContent = shown.has(id);
    shown.set(id, c.html);
    pane.innerHTML = c.html;
    const navId = c.kind === 'channel' ? c.id : 'app';
    if (hadContent && id !== currentPane() && c.kind !== 'home') {
      document.querySelector(`.nav-item[data-conv="${navId}"]`)?.classList.add('unread');
    }
    if (id === currentPane()) timeline.scrollTop = timeline.scrollHeight;
  }
  $('#toasts').innerHTML = snapshot.toasts;
  $('#refusals').innerHTML = snapshot.refusals;
  // Plain text: the policy's own words, never markup.
  $('#explain').textContent = snapshot.explain;
  $('#refused-count').textContent = String((snapshot.refusals.match(/class="refusal"/g) ?? []).length);
  // Built by the server from the fakes' state, every value escaped, no secret in it.
  if (destinations !== null && snapshot.destinations !== destinationsShown) {
    destinationsShown = snapshot.destinations;
    destinations.innerHTML = snapshot.destinations;
  }
  applyModal(snapshot.modal);
}

function applyModal(modal: Snapshot['modal']): void {
  if (modal === null) {
    overlay.hidden = true;
    overlay.innerHTML = '';
    modalKey = '';
    modalId = '';
    typedInView.clear();
    return;
  }
  const key = `${modal.id}|${modal.hash}|${modal.html}`;
  if (key === modalKey) return;
  const sameView = modal.id === modalId;
  const caret = sameView ? focusedInput() : null;
  modalKey = key;
  modalId = modal.id;
  overlay.innerHTML = modal.html;
  // The same view updated or marked with errors keeps what was typed, as Slack does.
  const typed = typedInView.get(modal.id);
  if (typed) restoreValues(overlay, typed);
  overlay.hidden = false;
  // ...and the person typing in it goes on typing where they were: an update arriving mid-word
  // must not send the next keystrokes nowhere.
  if (caret) refocus(caret);
}

interface Caret {
  block: string;
  action: string;
  start: number | null;
  end: number | null;
}

/** The input of the open view that has the focus, and where its caret is. */
function focusedInput(): Caret | null {
  const el = document.activeElement;
  if (!(el instanceof HTMLElement) || !overlay.contains(el) || el.dataset.input === undefined) return null;
  const text = el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? el : null;
  return {
    block: el.dataset.block ?? '',
    action: el.dataset.action ?? '',
    start: text?.selectionStart ?? null,
    end: text?.selectionEnd ?? null,
  };
}

function refocus(caret: Caret): void {
  const selector = `[data-input][data-block="${CSS.escape(caret.block)}"][data-action="${CSS.escape(caret.action)}"]`;
  const el = overlay.querySelector<HTMLElement>(selector);
  if (el === null) return;
  el.focus();
  if ((el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && caret.start !== null) {
    try {
      el.setSelectionRange(caret.start, caret.end ?? caret.start);
    } catch {
      // Inputs without a text selection (numbers, dates) keep the browser's caret.
    }
  }
}

/** Records what the person just entered in the open view (see `typedInView`). */
function rememberTyped(): void {
  if (modalId === '') return;
  const kept = typedInView.get(modalId) ?? {};
  for (const [block, actions] of Object.entries(valuesIn(overlay)))
    kept[block] = { ...kept[block], ...actions };
  typedInView.set(modalId, kept);
}
overlay.addEventListener('input', rememberTyped);
overlay.addEventListener('change', rememberTyped);

function connect(): void {
  source?.close();
  shown.clear();
  modalKey = '';
  timeline.innerHTML = '';
  destinationsShown = '';
  source = new EventSource(`/events?user=${encodeURIComponent(user)}`);
  source.addEventListener('snapshot', (event) => {
    apply(JSON.parse((event as MessageEvent<string>).data) as Snapshot);
  });
  showConversation();
  if (conv === 'app') void post('open', { tab: appTab });
}

function surfaceOf(el: Element): unknown {
  const holder = el.closest<HTMLElement>('[data-surface]');
  return holder === null ? null : JSON.parse(holder.dataset.surface ?? 'null');
}

function act(el: HTMLElement, selected: string | null): void {
  const surface = surfaceOf(el) as { kind?: string } | null;
  if (surface === null) return;
  const values = surface.kind === 'view' ? valuesIn(el.closest('[data-surface]')) : {};
  void post('action', {
    surface,
    blockId: el.dataset.block ?? '',
    actionId: el.dataset.action ?? '',
    selected,
    values,
  });
}

/** Slack's confirmation dialog for a button with `confirm`. */
function askFirst(el: HTMLElement, then: () => void): void {
  const spec = JSON.parse(el.dataset.confirm ?? '{}') as {
    title: string;
    text: string;
    confirm: string;
    deny: string;
    style: string | null;
  };
  const modal = document.createElement('div');
  modal.className = 'modal';
  modal.setAttribute('role', 'alertdialog');
  const head = document.createElement('div');
  head.className = 'modal-head';
  const title = document.createElement('h2');
  title.textContent = spec.title;
  head.append(title);
  const body = document.createElement('div');
  body.className = 'modal-body';
  // The server rendered this text with everything escaped.
  body.innerHTML = spec.text;
  const foot = document.createElement('div');
  foot.className = 'modal-foot';
  const deny = document.createElement('button');
  deny.className = 'btn';
  deny.textContent = spec.deny;
  const ok = document.createElement('button');
  ok.className = `btn ${spec.style === 'danger' ? 'danger' : 'primary'}`;
  ok.textContent = spec.confirm;
  foot.append(deny, ok);
  modal.append(head, body, foot);
  confirmBox.replaceChildren(modal);
  confirmBox.hidden = false;
  deny.onclick = () => {
    confirmBox.hidden = true;
  };
  ok.onclick = () => {
    confirmBox.hidden = true;
    then();
  };
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const el = target?.closest<HTMLElement>('[data-act], [data-conv], [data-tab]');
  if (el === null || el === undefined) return;
  if (el.dataset.conv !== undefined) {
    conv = el.dataset.conv;
    showConversation();
    if (conv === 'app') void post('open', { tab: appTab });
    return;
  }
  if (el.dataset.tab !== undefined) {
    appTab = el.dataset.tab === 'messages' ? 'messages' : 'home';
    showConversation();
    void post('open', { tab: appTab });
    return;
  }
  const viewId = overlay.querySelector<HTMLElement>('[data-view]')?.dataset.view ?? '';
  switch (el.dataset.act) {
    case 'button': {
      const go = () => {
        if (el.dataset.url) window.open(el.dataset.url, '_blank', 'noopener');
        act(el, null);
      };
      if (el.dataset.confirm) askFirst(el, go);
      else go();
      return;
    }
    case 'overflow':
      el.closest('details')?.removeAttribute('open');
      act(el, el.dataset.value ?? null);
      return;
    case 'dismiss':
      void post('dismiss', { ts: el.dataset.ts ?? '' });
      return;
    case 'dismiss-notice':
      void post('dismiss-notice', { id: el.dataset.id ?? '' });
      return;
    case 'modal-submit':
      void post('submit', { viewId, values: valuesIn(overlay) });
      return;
    case 'modal-cancel':
    case 'modal-back':
      void post('close', { viewId, which: 'top' });
      return;
    case 'modal-close':
      void post('close', { viewId, which: 'all' });
      return;
  }
});

document.addEventListener('change', (event) => {
  const el = event.target instanceof HTMLElement ? event.target : null;
  if (el === null || el.dataset.dispatch !== '1') return;
  if (el instanceof HTMLInputElement && el.type === 'text') return;
  if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) act(el, el.value || null);
});

$<HTMLFormElement>('#composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const box = $<HTMLInputElement>('#box');
  const text = box.value;
  if (text.trim() === '') return;
  box.value = '';
  const channel = conv === 'app' ? (last?.conversations.find((c) => c.kind === 'dm')?.id ?? '') : conv;
  void post('command', { channel, text });
});

who.addEventListener('change', () => {
  user = who.value;
  connect();
});

// As in Slack's preferences: the person's language changes, and Slack tells the app.
language.addEventListener('change', () => {
  void post('language', { locale: language.value });
});

connect();
