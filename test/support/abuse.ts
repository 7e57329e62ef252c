/**
 * The abuse suites' fixture: a running Keyhouse seeded with real requests (pending, approved,
 * delivered, denied) and owned keys, a snapshot of everything a hostile payload must leave alone,
 * and the checks that compare against it after each batch of hostile requests.
 *
 * A hostile payload is validly signed (it came through Slack, or someone holds the signing
 * secret) but malformed, stale or aimed at what its sender may not touch. Whatever it carries,
 * Keyhouse must answer it, change nothing, call ClickHouse for reads only, and show no secret.
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { afterAll, beforeAll } from 'vitest';
import { signSlackRequest } from '../../dev/fake-slack/signing.js';
import type { AuditEvent, Decision, KeyOwner, KeyRequest, MessageRef } from '../../src/core/model.js';
import { ACTION, CALLBACK } from '../../src/views/ids.js';
import { Harness, SIGNING_SECRET, USERS } from './keyhouse.js';
import { slashCommand } from './slack-payloads.js';

/** Slack gives up on an answer after 3 s (slack-platform.md §1). */
export const SLACK_ANSWER_MS = 3_000;
/**
 * A request Bolt has no listener for is answered 404 only when its `unhandledRequestTimeoutMillis`
 * (3001 ms by default) runs out; past this bound an answer is a hang.
 */
export const HANG_MS = 4_500;

/** Statuses a hostile request may get: handled, refused as unsigned, malformed or unrouted. */
export const ALLOWED_STATUSES: readonly number[] = [200, 400, 401, 404];

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** Bytes to POST to `/slack/events`, with a short description for failure messages. */
export interface RawBody {
  contentType: string;
  raw: string;
  label: string;
}

export interface RawAnswer {
  /** null: no answer before the client gave up (a hang). */
  status: number | null;
  body: string;
  ms: number;
}

/** Slash-command fields; an array repeats the field (`text=a&text=b`), as a crafted form can. */
export function commandBody(fields: Record<string, string | string[]>, label = 'command'): RawBody {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
  }
  return { contentType: FORM, raw: form.toString(), label };
}

/** An interaction payload as Slack form-encodes it; anything JSON can carry goes. */
export function interactionBody(payload: unknown, label = 'interaction'): RawBody {
  return {
    contentType: FORM,
    raw: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    label,
  };
}

/** An Events API body (JSON). */
export function eventBody(payload: unknown, label = 'event'): RawBody {
  return { contentType: JSON_TYPE, raw: JSON.stringify(payload), label };
}

/** Bytes exactly as given. */
export function rawBody(contentType: string, raw: string, label: string): RawBody {
  return { contentType, raw, label };
}

/**
 * POSTs `body` signed with the test signing secret (or the given signature, or none when
 * `unsigned`), bounded by `timeoutMs`.
 */
export async function postRaw(
  appUrl: string,
  body: RawBody,
  options: { timestampSec?: number; signature?: string; unsigned?: boolean; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const timestampSec = options.timestampSec ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': body.contentType,
    ...(options.unsigned ? {} : signSlackRequest(body.raw, SIGNING_SECRET, timestampSec)),
    ...(options.signature === undefined ? {} : { 'x-slack-signature': options.signature }),
  };
  const started = performance.now();
  try {
    const response = await fetch(new URL('/slack/events', appUrl), {
      method: 'POST',
      headers,
      body: body.raw,
      signal: AbortSignal.timeout(options.timeoutMs ?? HANG_MS),
    });
    const text = await response.text();
    return { status: response.status, body: text, ms: performance.now() - started };
  } catch {
    return { status: null, body: '', ms: performance.now() - started };
  }
}

// --- what Bolt routes to a listener -----------------------------------------------------------

/** Action ids Keyhouse listens for (src/handlers/actions/index.ts). */
export const HANDLED_ACTIONS: readonly string[] = [
  ACTION.approve,
  ACTION.deny,
  ACTION.createKey,
  ACTION.dismissSecret,
  ACTION.roleSelect,
  ACTION.keyMenu,
  ACTION.listPage,
  ACTION.editRole,
];
export const HANDLED_CALLBACKS: readonly string[] = Object.values(CALLBACK);
export const COMMAND = '/chkey';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether Bolt hands this body to one of Keyhouse's listeners (or acks it itself, as it does for
 * events and URL verification), mirroring Bolt's routing. Such a request must be answered 200 within
 * Slack's 3 s: a listener that throws before its `ack` leaves Slack without an answer.
 */
export function reachesListener(body: RawBody): boolean {
  let parsed: unknown;
  try {
    if (body.contentType === FORM) {
      const form = new URLSearchParams(body.raw);
      const payload = form.get('payload');
      if (payload === null) {
        const command = form.getAll('command').length === 1 && form.get('command') === COMMAND;
        return command && teamIdsLookRight(Object.fromEntries(form));
      }
      parsed = JSON.parse(payload);
    } else if (body.contentType === JSON_TYPE) {
      parsed = JSON.parse(body.raw);
    } else {
      return false;
    }
  } catch {
    return false;
  }
  if (!isObject(parsed)) return false;
  // Keyhouse refuses (400) a payload whose team ids are not ids before any listener sees it.
  if (!teamIdsLookRight(parsed)) return false;
  if (parsed.type === 'url_verification') return true;
  if (parsed.type === 'event_callback')
    return isObject(parsed.event) && typeof parsed.event.type === 'string';
  if (!isObject(parsed.user)) return false;
  if (parsed.type === 'block_actions') {
    const first: unknown = Array.isArray(parsed.actions) ? parsed.actions[0] : undefined;
    return (
      isObject(first) && typeof first.action_id === 'string' && HANDLED_ACTIONS.includes(first.action_id)
    );
  }
  if (parsed.type === 'view_submission') {
    return (
      isObject(parsed.view) &&
      typeof parsed.view.callback_id === 'string' &&
      HANDLED_CALLBACKS.includes(parsed.view.callback_id)
    );
  }
  return false;
}

const TEAM_ID = /^[TE][A-Z0-9]{1,30}$/;

/** What Keyhouse's HTTP edge refuses (400) before Bolt sees it: see src/http/slack-request.ts. */
function teamIdsLookRight(body: Record<string, unknown>): boolean {
  const holders = [body.team, body.user, body.event, body.channel, body.container, body.view];
  if (holders.some((h) => h !== undefined && !isObject(h))) return false;
  const field = (holder: unknown, key: string) => (isObject(holder) ? holder[key] : undefined);
  const eventUser = field(body.event, 'user');
  if (eventUser !== undefined && typeof eventUser !== 'string' && !isObject(eventUser)) return false;
  const ids = [body.team_id, field(body.team, 'id'), field(body.user, 'team_id'), field(body.event, 'team')];
  return ids.every((id) => id === undefined || (typeof id === 'string' && TEAM_ID.test(id)));
}

// --- the seeded world ---------------------------------------------------------------------------

/** Who sends hostile payloads: Eve holds no role; Alice is a requester aiming at what is not hers. */
export const ACTORS = { eve: USERS.eve, alice: USERS.alice } as const;
/** Users whose own clicks would be legitimate somewhere in the world; never hostile actors. */
export const ENTITLED: readonly string[] = [USERS.admin, USERS.bob, USERS.carol, USERS.dave];

export interface AbuseWorld {
  h: Harness;
  /** Request ids by state. Alice has a pending request; none of the approved ones is hers. */
  requests: { pending: string[]; approved: string[]; delivered: string[]; denied: string[] };
  /** Keys neither actor may manage: Bob's, Carol's delivered one, one made in the console, Keyhouse's own. */
  foreignKeyIds: string[];
  /** Alice's own key: never a target, since her managing it would be legitimate. */
  aliceKeyId: string;
  /** Every key secret that exists in the world, the bot's own admin key's included. */
  secrets: string[];
}

const DAY_MS = 86_400_000;
const REASON = 'Reads the events table nightly for reports';

function revealedSecret(body: unknown): string | null {
  const match = /curl --user '[^':]+:([^']+)'/.exec(JSON.stringify(body));
  return match?.[1] ?? null;
}

/**
 * Seeds `h` through the real flows: Dave's pending request, Alice's half-approved one, Carol's
 * approved request, Carol's delivered key (made by her Create key click), Bob's denied request,
 * and keys owned by Alice and Bob, one made outside Keyhouse, and Keyhouse's own.
 */
export async function seedWorld(h: Harness): Promise<AbuseWorld> {
  const { alice, bob, carol, dave } = USERS;
  const submit = async (user: string, keyName: string, roleId: string, expiry: string) => {
    const answer = await h.submitRequest(user, { keyName, roleId, expiry, reason: REASON });
    if (
      answer.status !== 200 ||
      (answer.json as { response_action?: string } | null)?.response_action !== 'update'
    )
      throw new Error(`seeding ${keyName}: ${answer.body}`);
    const request = await h.latestRequest(user);
    await h.approvalMessage(request.id);
    return request;
  };

  const pending = await submit(dave, 'dave-reader', 'developer', '30d');
  const halfApproved = await submit(alice, 'alice-admin', 'admin', '7d');
  await h.approve(bob, halfApproved.id);
  const approved = await submit(carol, 'carol-etl', 'developer', '30d');
  await h.approve(bob, approved.id);
  await h.untilState(approved.id, 'approved');
  const delivered = await submit(carol, 'carol-endpoints', 'query-endpoints', '30d');
  await h.claimMessage(carol, delivered.id);
  const click = await h.createKey(carol, delivered.id);
  await h.untilState(delivered.id, 'delivered');
  const reveal = await h.slack.waitFor(() =>
    h.slack.responseUrlPosts.find((p) => click.responseUrl.endsWith(p.id) && revealedSecret(p.body)),
  );
  const denied = await submit(bob, 'bob-writer', 'developer', '30d');
  await h.keyhouse.workflow.deny(denied.id, carol, 'Not this quarter');

  const owned = async (owner: string | null, name: string) => {
    const made = h.clickhouse.addKey({
      name,
      roles: ['developer'],
      expireAt: new Date(Date.now() + 30 * DAY_MS).toISOString(),
    });
    if (owner) {
      await h.store.putKeyOwner({
        keyId: made.key.id,
        ownerId: owner,
        requestId: null,
        keyName: name,
        keySuffix: made.key.keySuffix,
        createdAt: new Date(Date.now() - DAY_MS),
      });
    }
    return made;
  };
  const aliceKey = await owned(alice, 'alice-etl');
  const bobKey = await owned(bob, 'bob-dashboards');
  const outside = await owned(null, 'console-made');
  const deliveredKeyId = (await h.store.getRequest(delivered.id))?.keyId;
  if (!deliveredKeyId) throw new Error('seeding: the delivered request has no key');
  await h.quiet();

  return {
    h,
    requests: {
      pending: [pending.id, halfApproved.id],
      approved: [approved.id],
      delivered: [delivered.id],
      denied: [denied.id],
    },
    foreignKeyIds: [bobKey.key.id, deliveredKeyId, outside.key.id, h.clickhouse.adminKey.id],
    aliceKeyId: aliceKey.key.id,
    secrets: [
      revealedSecret(reveal.body) ?? '',
      aliceKey.keySecret,
      bobKey.keySecret,
      outside.keySecret,
      h.clickhouse.adminKey.keySecret,
    ],
  };
}

/** Every request id in the world. */
export function allRequestIds(world: AbuseWorld): string[] {
  const { pending, approved, delivered, denied } = world.requests;
  return [...pending, ...approved, ...delivered, ...denied];
}

// --- snapshot and comparison --------------------------------------------------------------------

/** What a hostile payload must leave as it was. */
export interface WorldSnapshot {
  requests: KeyRequest[];
  decisions: Record<string, Decision[]>;
  messageRefs: Record<string, MessageRef[]>;
  owners: KeyOwner[];
  /** Audit events up to here; later ones may only be refusals. */
  auditSeq: number;
  /** ClickHouse keys, without `usedAt` (Keyhouse's own key is used by every read). */
  keys: string;
  /** Where the recorded traffic and logs stood, so later checks look only at what came after. */
  clickhouseRequests: number;
  slackCalls: number;
  responseUrlPosts: number;
  logChars: number;
}

function keysWithoutUse(h: Harness): string {
  return JSON.stringify(h.clickhouse.keys().map(({ usedAt: _usedAt, ...key }) => key));
}

export async function snapshot(world: AbuseWorld): Promise<WorldSnapshot> {
  const { h } = world;
  const requests = await h.store.listRequests({});
  const decisions: Record<string, Decision[]> = {};
  const messageRefs: Record<string, MessageRef[]> = {};
  for (const request of requests) {
    decisions[request.id] = await h.store.listDecisions(request.id);
    messageRefs[request.id] = await h.store.getMessageRefs(request.id);
  }
  const audit = await h.store.listAudit({});
  return {
    requests,
    decisions,
    messageRefs,
    owners: await h.store.listKeyOwners(),
    auditSeq: audit.at(-1)?.seq ?? 0,
    keys: keysWithoutUse(h),
    clickhouseRequests: h.clickhouse.requests.length,
    slackCalls: h.slack.calls.length,
    responseUrlPosts: h.slack.responseUrlPosts.length,
    logChars: h.logs.length,
  };
}

/**
 * Waits until Keyhouse has gone quiet (no Slack call, ClickHouse request or log line for
 * `quietMs`): the work a listener does after its ack is then over.
 */
export async function settle(h: Harness, quietMs = 120, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const activity = () =>
    `${h.slack.calls.length}/${h.slack.responseUrlPosts.length}/${h.clickhouse.requests.length}/${h.logs.length}`;
  let seen = activity();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error('Keyhouse did not go quiet');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = activity();
    if (now !== seen) {
      seen = now;
      since = Date.now();
    }
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Everything that changed since `before` and should not have: store rows, audit events other
 * than refusals, ClickHouse writes or key changes, and seeded secrets in Slack traffic, logs or
 * the given HTTP answers. Empty when the hostile requests had no effect.
 */
export async function effectsSince(
  world: AbuseWorld,
  before: WorldSnapshot,
  answers: readonly string[] = [],
): Promise<string[]> {
  const { h } = world;
  const after = await snapshot(world);
  const problems: string[] = [];
  if (!same(after.requests, before.requests)) problems.push('a request changed');
  if (!same(after.decisions, before.decisions)) problems.push('a decision was recorded');
  if (!same(after.messageRefs, before.messageRefs)) problems.push('a message reference changed');
  if (!same(after.owners, before.owners)) problems.push('a key owner changed');
  if (after.keys !== before.keys) problems.push('a ClickHouse key changed');

  const audit: AuditEvent[] = (await h.store.listAudit({})).filter((e) => e.seq > before.auditSeq);
  for (const event of audit.filter((e) => e.outcome !== 'refused')) {
    problems.push(`audit event ${event.action}:${event.outcome} by ${String(event.actorId)}`);
  }
  const writes = h.clickhouse.requests.slice(before.clickhouseRequests).filter((r) => r.method !== 'GET');
  for (const write of writes) problems.push(`ClickHouse ${write.method} ${write.route ?? write.path}`);

  const traffic = JSON.stringify([
    h.slack.calls.slice(before.slackCalls).map((c) => c.args),
    h.slack.responseUrlPosts.slice(before.responseUrlPosts).map((p) => p.body),
  ]);
  const logs = h.logs.slice(before.logChars);
  for (const [i, secret] of world.secrets.entries()) {
    if (!secret) continue;
    if (traffic.includes(secret)) problems.push(`seeded secret #${i} was sent to Slack`);
    if (logs.includes(secret)) problems.push(`seeded secret #${i} was logged`);
    if (answers.some((a) => a.includes(secret))) problems.push(`seeded secret #${i} was in an HTTP answer`);
  }
  return problems;
}

/** fetch's network failures are TypeErrors too; a bogus response URL causes them, not a bug. */
const NETWORK_FAILURE = /^(fetch failed|Failed to parse URL|Invalid URL)/;

/** Listener failures that are programming errors (a payload shape the code did not expect). */
export function programmingErrors(logs: string): string[] {
  const found: string[] = [];
  for (const line of logs.split('\n')) {
    const match =
      /"err":\{"type":"(TypeError|RangeError|ReferenceError|SyntaxError)","message":"([^"]*)"/.exec(line);
    if (!match || NETWORK_FAILURE.test(match[2] ?? '')) continue;
    // The first frame in Keyhouse's own code (a dependency's `src/` does not count).
    const at = [...line.matchAll(/[\w./-]*\/src\/[\w/.-]+\.ts:\d+/g)]
      .map((m) => m[0])
      .find((path) => !path.includes('node_modules'));
    found.push(`${match[1]}: ${match[2]}${at ? ` at ${at.replace(/^.*\/src\//, 'src/')}` : ''}`);
  }
  return [...new Set(found)];
}

// --- the process stays healthy ----------------------------------------------------------------

/** Unhandled rejections seen while the suite runs (Node's default would end the process). */
export function trackUnhandledRejections(): { readonly seen: unknown[]; stop(): void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => {
    seen.push(reason);
  };
  process.on('unhandledRejection', listener);
  return { seen, stop: () => process.off('unhandledRejection', listener) };
}

/**
 * Problems with Keyhouse's answer to an ordinary `/chkey help` (it must still work): acknowledged in
 * time, and answered with usage, in the acknowledgement or (for someone whose language Keyhouse
 * has not looked up yet) through the response URL just after.
 */
export async function stillServes(h: Harness): Promise<string[]> {
  const responseUrl = h.slack.newResponseUrl({ user: USERS.alice, channel: 'C0GENERAL' });
  const fields = slashCommand({ user_id: USERS.alice, text: 'help', response_url: responseUrl });
  const answer = await postRaw(h.url, commandBody(fields as unknown as Record<string, string>, 'help'), {
    timeoutMs: SLACK_ANSWER_MS,
  });
  if (answer.status !== 200) {
    return [`a normal /chkey help got ${answer.status ?? 'no answer'} after ${Math.round(answer.ms)} ms`];
  }
  if (answer.body.includes(COMMAND)) return [];
  const id = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
  const posted = await h.slack
    .waitFor(() => h.slack.responseUrlPosts.find((p) => p.id === id), { message: 'the help after the ack' })
    .catch(() => null);
  if (posted && JSON.stringify(posted.body).includes(COMMAND)) return [];
  return [`a normal /chkey help was acknowledged empty and never answered (${Math.round(answer.ms)} ms)`];
}

// --- one batch of hostile requests -----------------------------------------------------------

/** Where a suite stands: the snapshot the next batch is judged against, and the rejections seen. */
export interface AbuseState {
  before: WorldSnapshot;
  readonly rejections: { readonly seen: unknown[] };
}

export interface AbuseSuite {
  readonly world: AbuseWorld;
  readonly state: AbuseState;
  readonly h: Harness;
  /** A fresh response URL of the fake Slack, bound to Eve in #general. */
  mintResponseUrl(): string;
  mintTrigger(): string;
}

/**
 * Registers `beforeAll`/`afterAll` hooks that start one Keyhouse for the suite, seed its world,
 * take the first snapshot and track unhandled rejections; the returned object is usable in tests.
 */
export function useAbuseWorld(): AbuseSuite {
  let world: AbuseWorld | undefined;
  let state: AbuseState | undefined;
  let rejections: ReturnType<typeof trackUnhandledRejections> | undefined;
  beforeAll(async () => {
    rejections = trackUnhandledRejections();
    world = await seedWorld(await Harness.start());
    state = { before: await snapshot(world), rejections };
  });
  afterAll(async () => {
    rejections?.stop();
    await world?.h.close();
  });
  const ready = () => {
    if (!world || !state) throw new Error('the abuse world is not seeded yet');
    return { world, state };
  };
  return {
    get world() {
      return ready().world;
    },
    get state() {
      return ready().state;
    },
    get h() {
      return ready().world.h;
    },
    mintResponseUrl: () => ready().world.h.slack.newResponseUrl({ user: USERS.eve, channel: 'C0GENERAL' }),
    mintTrigger: () => ready().world.h.slack.newTriggerId(USERS.eve),
  };
}

function summarize(body: RawBody): string {
  let shown = body.raw;
  if (body.contentType === FORM) {
    // Decoded, so a reader sees the payload rather than its percent-encoding.
    const form = new URLSearchParams(body.raw);
    shown = form.get('payload') ?? JSON.stringify(Object.fromEntries(form));
  }
  const clipped = shown.length > 300 ? `${shown.slice(0, 300)}…(${shown.length} chars)` : shown;
  return `${body.label} [${body.contentType}] ${clipped}`;
}

/** What is wrong with one answer: its status, or its timing for a request a listener handles. */
export function answerProblem(body: RawBody, answer: RawAnswer): string | null {
  const ms = Math.round(answer.ms);
  if (answer.status === null) return `no answer within ${HANG_MS} ms`;
  if (!ALLOWED_STATUSES.includes(answer.status)) return `answered ${answer.status}`;
  if (reachesListener(body) && (answer.status !== 200 || answer.ms >= SLACK_ANSWER_MS)) {
    return `a listener handles it, but it was answered ${answer.status} after ${ms} ms (Slack needs 200 within 3 s)`;
  }
  return null;
}

/**
 * Posts `bodies` at once, waits for Keyhouse to go quiet, and returns every violated invariant:
 * answers (status, timing), unhandled rejections, programming errors in listeners, effects on
 * the store or ClickHouse, secrets shown, and whether a normal command still works. Moves
 * `state.before` on when nothing was violated, so the next batch is judged on its own.
 */
export async function abuse(
  world: AbuseWorld,
  state: AbuseState,
  bodies: readonly RawBody[],
): Promise<string[]> {
  const { h } = world;
  const rejectionsBefore = state.rejections.seen.length;
  const answers = await Promise.all(bodies.map((body) => postRaw(h.url, body)));
  const problems: string[] = [];
  answers.forEach((answer, i) => {
    const body = bodies[i];
    const problem = body ? answerProblem(body, answer) : null;
    if (body && problem) problems.push(`${problem}: ${summarize(body)}`);
  });
  await settle(h);
  for (const reason of state.rejections.seen.slice(rejectionsBefore)) {
    problems.push(`unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
  for (const error of programmingErrors(h.logs.slice(state.before.logChars))) {
    problems.push(`a listener crashed: ${error}`);
  }
  problems.push(
    ...(await effectsSince(
      world,
      state.before,
      answers.map((a) => a.body),
    )),
  );
  problems.push(...(await stillServes(h)));
  if (problems.length === 0) {
    await settle(h);
    state.before = await snapshot(world);
  }
  return problems;
}

/**
 * `fc.assert` for an abuse property: stops at the first failing batch (shrinking would resend
 * batches that take seconds each) and reports the violated invariants and the seed instead of
 * the whole counterexample, which can hold 40 kB strings.
 */
export async function assertAbuse<Ts>(
  property: fc.IAsyncPropertyWithHooks<Ts>,
  params: { numRuns: number; seed?: number },
): Promise<void> {
  await fc.assert(property, {
    ...params,
    endOnFailure: true,
    asyncReporter: async (details) => {
      if (!details.failed) return;
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : 'unknown';
      throw new Error(
        `Property failed after ${details.numRuns} run(s) (seed ${details.seed}, path "${details.counterexamplePath}"):\n${cause}`,
      );
    },
  });
}

/** Throws the problems of one batch as one readable error (for use inside a property). */
export function expectNoProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(problems.map((p) => `- ${p}`).join('\n'));
}
