/**
 * The messages between the benchmark and its infrastructure child (`infra.ts`: the fake Slack and the
 * ClickHouse emulator). Nothing secret crosses it: response-URL bodies stay in the child, which only
 * reports when a post carrying a key secret arrived.
 */
import type { FakeMessage } from '../../dev/fake-slack/index.js';

/** Sent once by the child when both servers listen. */
export interface InfraReady {
  kind: 'ready';
  slackUrl: string;
  slackApiUrl: string;
  clickhouseUrl: string;
  /** The emulator's bootstrapped admin key: a made-up credential Keyhouse authenticates with. */
  adminKey: { keyId: string; keySecret: string };
}

/** Where a response URL points, as Slack binds it to the message or channel an interaction came from. */
export interface ResponseUrlBind {
  user: string;
  channel: string;
  messageTs?: string;
}

/** A message without the fake's bookkeeping (`history`), as a button payload would carry it. */
export type PlainMessage = Omit<FakeMessage, 'history'>;

export interface Claim {
  requestId: string;
  user: string;
  message: PlainMessage;
}

/** What arrived on one response URL. Times are the fake's clock (epoch ms). */
export interface ResponsePosts {
  url: string;
  posts: number;
  /** First post Slack accepted (HTTP 200). */
  firstOkAt: number | null;
  /** First accepted post carrying a key secret (the show-once message). */
  secretAt: number | null;
}

export interface ClickHouseTraffic {
  /** Index of the next request; pass it as `from` to count only what comes after. */
  next: number;
  total: number;
  byRoute: Record<string, number>;
  /** Answers 429 (the emulator's rate limit, 10 per 10 s per key). */
  tooMany: number;
  /** Arrival of the first and of the last request counted (epoch ms), or null. */
  firstAt: number | null;
  lastAt: number | null;
  /** Server time of each `createKey` counted (arrival to answer sent, ms), in arrival order. */
  createMs: number[];
}

export type InfraCommand =
  | { op: 'issue'; binds: ResponseUrlBind[] }
  | { op: 'approvals' }
  | { op: 'claims'; users: string[] }
  | { op: 'responses'; urls: string[] }
  | { op: 'clickhouse'; from: number }
  | { op: 'slackTraffic' };

export interface InfraAnswers {
  issue: { responseUrls: string[]; triggerIds: string[] };
  approvals: { requestIds: string[] };
  claims: { claims: Claim[] };
  responses: { posts: ResponsePosts[] };
  clickhouse: ClickHouseTraffic;
  slackTraffic: { events: number };
}

export type InfraRequest = InfraCommand & { id: number };
export type InfraReply = { kind: 'reply'; id: number; ok: true; value: unknown } | FailedReply;
interface FailedReply {
  kind: 'reply';
  id: number;
  ok: false;
  error: string;
}
