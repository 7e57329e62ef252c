/**
 * Ack first (product.md §1 "Acknowledgements", slack-platform.md §2): every command, click and
 * submission is answered within Slack's 3 s, whatever ClickHouse's queue or Slack's user-group API
 * are doing. Every listener is registered through `ackFirst(app)`, and none of them ever holds
 * Bolt's `ack`: a listener is a function from what Slack sent to a `Reply`,
 *
 *   - `ack`: what Slack hears at once. It is decided from the payload and what needs no network:
 *     the policy's rules, group memberships the cache already knows, the store, a key list already
 *     in memory. The listener runs in a no-wait zone (`util/no-wait.ts`): ClickHouse, the notifier
 *     and an uncached group look-up throw `WouldWait` there instead of waiting, and the listener
 *     gets no Web API client. So the acknowledgement is fast by construction, not by timing.
 *   - `after`: everything that waits on the network, once Slack has its answer. Its outcome reaches
 *     the person where they look (the modal, the list message, a notice); what it throws goes to
 *     the one `app.error` handler, which tells them in words.
 *
 * A listener that still reaches for the network before its acknowledgement is a bug: Slack is
 * answered at once all the same, and the error handler reports it under a reference id.
 */
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  RespondArguments,
  RespondFn,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewResponseAction,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { KeyhouseError } from '../core/errors.js';
import { WouldWait, withoutWaiting } from '../util/no-wait.js';

/** What the work after the acknowledgement may use to reach Slack. */
export interface AfterAck {
  client: WebClient;
  /** Present when the payload carried a `response_url`. */
  respond?: RespondFn;
}

/** A listener's answer: what Slack hears at once, and the work that runs once it has. */
export interface Reply<Body> {
  ack?: Body;
  after?: (io: AfterAck) => Promise<void>;
}

/** What a listener decides from: Bolt's arguments without any means to answer or to call Slack. */
export type Heard<Args> = Omit<Args, 'ack' | 'client' | 'respond' | 'say' | 'next'>;

export type Listener<Args, Body> = (heard: Heard<Args>) => Reply<Body> | Promise<Reply<Body>>;

export type CommandArgs = AllMiddlewareArgs & SlackCommandMiddlewareArgs;
export type ActionArgs<A extends BlockAction = BlockAction> = AllMiddlewareArgs &
  SlackActionMiddlewareArgs<A>;
export type ViewArgs = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;
export type EventArgs<E extends string> = AllMiddlewareArgs & SlackEventMiddlewareArgs<E>;

/** A command's acknowledgement becomes its immediate (ephemeral) reply. */
export type CommandAck = string | RespondArguments;
/** A submission's acknowledgement: close (none), `errors`, `update`, `push` or `clear`. */
export type ViewAck = ViewResponseAction;

/** Where a listener is registered: by command, action id, callback id or event name. */
export interface Registration {
  kind: 'command' | 'action' | 'view' | 'event';
  id: string;
}

/** The wrapped functions this module made, so a test can tell them from a listener registered around it. */
const wrapped = new WeakSet<object>();

export function isAckFirst(listener: unknown): boolean {
  return typeof listener === 'function' && wrapped.has(listener);
}

/** Registration with Bolt, where every listener is acknowledged first. */
export interface AckFirstApp {
  command(name: string, listener: Listener<CommandArgs, CommandAck>): void;
  action<A extends BlockAction>(actionId: string, listener: Listener<ActionArgs<A>, never>): void;
  view(callbackId: string, listener: Listener<ViewArgs, ViewAck>): void;
  /** Bolt acknowledges Events API deliveries itself; the listener's `after` is all there is. */
  event<E extends string>(name: E, listener: Listener<EventArgs<E>, never>): void;
  /** Every listener registered so far, in order. */
  routes(): Registration[];
}

type Bolt = {
  ack?: (body?: never) => Promise<void>;
  client: WebClient;
  respond?: RespondFn;
};

type Run = (args: Bolt) => Promise<void>;

/** Where Bolt's arguments name the listener of a kind Keyhouse dispatches itself. */
const ROUTED_BY = {
  action: (args: { action?: { action_id?: unknown } }) => args.action?.action_id,
  view: (args: { view?: { callback_id?: unknown } }) => args.view?.callback_id,
};

/**
 * Bolt offers every request to every listener it holds, each through its own chain of matchers, so
 * its cost grows with the number of listeners (about 40 buttons and dialogs here). `ackFirst`
 * therefore gives Bolt one listener for all buttons and one for all dialog submissions, and finds
 * the one meant in a table; the few commands and events are registered with Bolt by name. What no
 * route claims is left alone, as Bolt would leave it: an unknown button is never acknowledged, and
 * Bolt answers 404 when its wait runs out.
 */
export function ackFirst(app: App): AckFirstApp {
  const table = { action: new Map<string, Run>(), view: new Map<string, Run>() };
  const registered: Registration[] = [];
  const dispatcher = (kind: keyof typeof table): Run => {
    const runs = table[kind];
    const routedBy = ROUTED_BY[kind];
    const dispatch: Run = async (args) => {
      const id = routedBy(args as never);
      const run = typeof id === 'string' ? runs.get(id) : undefined;
      if (run) await run(args);
    };
    wrapped.add(dispatch);
    return dispatch;
  };
  const route = (kind: Registration['kind'], id: string, run: Run) => {
    if (registered.some((r) => r.kind === kind && r.id === id)) {
      throw new Error(`${kind} ${id} has a listener already`);
    }
    registered.push({ kind, id });
    if (kind === 'command') app.command(id, run as never);
    else if (kind === 'event') app.event(id, run as never);
    else {
      if (table[kind].size === 0) {
        if (kind === 'action') app.action({ type: 'block_actions' }, dispatcher(kind) as never);
        else app.view({ type: 'view_submission' }, dispatcher(kind) as never);
      }
      table[kind].set(id, run);
    }
  };
  const register = (listener: Listener<never, unknown>, acks: boolean): Run => {
    const run = async (args: Bolt): Promise<void> => {
      const {
        ack,
        client,
        respond,
        say: _say,
        next: _next,
        ...heard
      } = args as Bolt & {
        say?: unknown;
        next?: unknown;
      };
      let reply: Reply<unknown>;
      try {
        reply = await withoutWaiting(() => listener(heard as never));
      } catch (error) {
        // Slack hears at once even when deciding failed; the error handler tells the person why.
        if (acks && ack) await ack();
        if (error instanceof WouldWait) {
          throw new KeyhouseError(
            'internal',
            `a listener waited before its acknowledgement: ${error.message}`,
            {
              cause: error,
            },
          );
        }
        throw error;
      }
      if (acks && ack) await ack(reply.ack as never);
      await reply.after?.({ client, ...(respond ? { respond } : {}) });
    };
    wrapped.add(run);
    return run;
  };
  return {
    command: (name, listener) => route('command', name, register(listener as never, true)),
    action: (actionId, listener) => route('action', actionId, register(listener as never, true)),
    view: (callbackId, listener) => route('view', callbackId, register(listener as never, true)),
    event: (name, listener) => route('event', name, register(listener as never, false)),
    routes: () => [...registered],
  };
}
