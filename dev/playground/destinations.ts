/**
 * What the destinations behind the playground hold (product.md §12), for a person to watch a key
 * arrive: each Vault KV path with its versions (key id, name, role, expiry, when written) and each
 * GitHub repository's or environment's Actions secrets (names, when updated). Built from the fakes'
 * own state; a secret is never taken from them: only that one is there and its length. The same
 * arrival lines are printed in the terminal (main.ts) and shown in the page's Destinations panel.
 *
 * The words are the playground's own, in English like the rest of its page chrome (the language
 * switch changes what Keyhouse says, not the stand-in's frame).
 */
import type { Destination } from '../../src/core/policy-model.js';
import { keyhousePolicy } from '../../src/vault/policy.js';
import type { FakeGitHub } from '../fake-github/server.js';
import { type FakeVault, startFakeVault } from '../fake-vault/server.js';
import { type PlaygroundGitHub, startPlaygroundGitHub } from './github-alert.js';
import { escapeHtml } from './mrkdwn.js';

export interface VaultVersionView {
  version: number;
  current: boolean;
  keyId: string;
  name: string;
  role: string;
  /** As written (`never`, or a date in UTC). */
  expires: string;
  /** When Vault wrote it, in UTC. */
  writtenAt: string;
  /** How many characters the secret held there has; null when the version holds none. */
  secretLength: number | null;
}

export interface VaultPathView {
  /** `secret/clickhouse/etl`: the mount and the path. */
  path: string;
  /** Newest first. */
  versions: VaultVersionView[];
}

export interface GitHubSecretView {
  name: string;
  updatedAt: string;
  /** The key id it holds, for a destination's key-id secret (a key id is no secret); null otherwise. */
  keyId: string | null;
}

export interface GitHubScopeView {
  /** `acme/etl`, or `acme/etl (environment production)`. */
  scope: string;
  secrets: GitHubSecretView[];
}

/** One write into a destination, as a line for the terminal and the page. */
export interface Arrival {
  /** Stable across calls: the terminal prints each id once. */
  id: string;
  /** ms since the epoch, for ordering. */
  at: number;
  line: string;
}

export interface DestinationsView {
  /** The policy's destinations, as `id: where`. */
  offered: string[];
  vault: VaultPathView[];
  github: GitHubScopeView[];
  /** Oldest first. */
  arrivals: Arrival[];
}

export interface DestinationsSources {
  vault: Pick<FakeVault, 'contents'>;
  github: Pick<FakeGitHub, 'actionsSecrets' | 'secretsWritten'>;
  /** The policy's destinations: which GitHub secret names hold a key id. */
  destinations: readonly Destination[];
}

/** What the page server and the terminal follow: the view now, and a signal when it may have changed. */
export interface DestinationsFeed {
  view(): DestinationsView;
  onChange(listener: () => void): () => void;
}

export interface PlaygroundDestinations {
  vault: FakeVault;
  github: PlaygroundGitHub;
  feed: DestinationsFeed;
  close(): Promise<void>;
}

/**
 * The fake Vault and the fake GitHub behind `destinations` (a policy's): Keyhouse's AppRole may write
 * where each Vault destination points (as the README's `vault policy write` lets it; `secret/clickhouse/
 * {keyName}` when there is none), and each GitHub destination's repository and environment exist with
 * the App installed. `keyhouseUrl` is where the fake GitHub sends its alerts (github-alert.ts).
 */
export async function startDestinations(
  destinations: readonly Destination[],
  keyhouseUrl: () => string,
): Promise<PlaygroundDestinations> {
  const followers = new Set<() => void>();
  // Told after each request a fake served: what it holds may have changed.
  const served = () => {
    for (const follower of followers) follower();
  };
  const vaults = destinations.filter(
    (d): d is Extract<Destination, { type: 'vault-kv' }> => d.type === 'vault-kv',
  );
  const vault = await startFakeVault({
    mounts: [...new Set(['secret', ...vaults.map((d) => d.mount)])],
    keyhouse: { mount: 'secret', pathTemplate: 'clickhouse/{keyName}' },
    onServed: served,
  });
  if (vaults.length > 0) {
    vault.setPolicy(
      'keyhouse',
      vaults.flatMap((d) => keyhousePolicy(d.mount, d.path)),
    );
  }
  const github = await startPlaygroundGitHub(keyhouseUrl, {
    destinations: destinations.flatMap((d) =>
      d.type === 'github-actions'
        ? [
            {
              repository: d.repository,
              ...(d.environment === undefined ? {} : { environment: d.environment }),
            },
          ]
        : [],
    ),
    onServed: served,
  });
  return {
    vault,
    github,
    feed: {
      view: () => destinationsView({ vault, github: github.fake, destinations }),
      onChange(listener) {
        followers.add(listener);
        return () => followers.delete(listener);
      },
    },
    close: async () => {
      await github.close();
      await vault.close();
    },
  };
}

/** `2026-12-07T02:51:10.123Z` → `2026-12-07 02:51:10 UTC`; anything else as it is. */
export function utc(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function text(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : '?';
}

function scopeName(repository: string, environment: string | null): string {
  return environment === null ? repository : `${repository} (environment ${environment})`;
}

export function destinationsView(sources: DestinationsSources): DestinationsView {
  const github = sources.destinations.filter(
    (d): d is Extract<Destination, { type: 'github-actions' }> => d.type === 'github-actions',
  );
  const sameScope = (d: (typeof github)[number], repository: string, environment: string | null): boolean =>
    d.repository.toLowerCase() === repository.toLowerCase() && (d.environment ?? null) === environment;
  const isKeyIdName = (repository: string, environment: string | null, name: string) =>
    github.some((d) => sameScope(d, repository, environment) && d.names.keyId === name);
  const secretNameOf = (repository: string, environment: string | null, name: string) =>
    github.find((d) => sameScope(d, repository, environment) && d.names.keySecret === name);

  const arrivals: Arrival[] = [];

  const vault: VaultPathView[] = sources.vault.contents().map((secret) => {
    const path = `${secret.mount}/${secret.path}`;
    const versions = secret.versions.map((v): VaultVersionView => {
      const held = v.data.keySecret;
      const view: VaultVersionView = {
        version: v.version,
        current: v.version === secret.currentVersion,
        keyId: text(v.data.keyId),
        name: text(v.data.name),
        role: text(v.data.role),
        expires: utc(text(v.data.expireAt)),
        writtenAt: utc(v.createdTime),
        secretLength: typeof held === 'string' && held !== '' ? held.length : null,
      };
      arrivals.push({
        id: `vault:${path}#${v.version}`,
        at: Date.parse(v.createdTime),
        line:
          `Vault: ${path} version ${view.version} holds key ${view.keyId} (${view.name}, role ${view.role}, ` +
          `expires ${view.expires}) and ${view.secretLength === null ? 'no secret' : 'its secret'}; written ${view.writtenAt}`,
      });
      return view;
    });
    return { path, versions: versions.reverse() };
  });

  // Writes in order; a key-id secret's value is kept (a key id), any other value is dropped at once.
  const writes = sources.github.secretsWritten().map((w) => ({
    repository: w.repository,
    environment: w.environment,
    name: w.name,
    at: w.at,
    atMs: w.atMs,
    keyId: isKeyIdName(w.repository, w.environment, w.name) ? w.value : null,
  }));
  const idNow = new Map<string, string>();
  for (const [index, w] of writes.entries()) {
    const scope = scopeName(w.repository, w.environment);
    if (w.keyId !== null) {
      idNow.set(`${scope}|${w.name}`, w.keyId);
      continue;
    }
    const pair = secretNameOf(w.repository, w.environment, w.name);
    const keyId = pair === undefined ? undefined : idNow.get(`${scope}|${pair.names.keyId}`);
    arrivals.push({
      id: `github:${index}`,
      at: w.atMs,
      line:
        pair === undefined
          ? `GitHub Actions: ${scope} secret ${w.name} updated ${utc(w.at)}`
          : `GitHub Actions: ${scope} holds key ${keyId ?? '?'} (${pair.names.keyId}) and its secret ` +
            `(${pair.names.keySecret}); updated ${utc(w.at)}`,
    });
  }

  const scopes = new Map<string, GitHubScopeView>();
  for (const s of sources.github.actionsSecrets()) {
    const scope = scopeName(s.repository, s.environment);
    const view = scopes.get(scope) ?? { scope, secrets: [] };
    view.secrets.push({
      name: s.name,
      updatedAt: utc(s.updatedAt),
      keyId: isKeyIdName(s.repository, s.environment, s.name)
        ? (idNow.get(`${scope}|${s.name}`) ?? null)
        : null,
    });
    scopes.set(scope, view);
  }

  return {
    offered: sources.destinations.map((d) =>
      d.type === 'vault-kv'
        ? `${d.id}: Vault KV ${d.mount}/${d.path}`
        : `${d.id}: GitHub Actions ${scopeName(d.repository, d.environment ?? null)}, ${d.names.keyId} and ${d.names.keySecret}`,
    ),
    vault,
    github: [...scopes.values()],
    arrivals: arrivals
      .map((a, order) => ({ a, order }))
      .sort((x, y) => x.a.at - y.a.at || x.order - y.order)
      .map(({ a }) => a),
  };
}

/** Shown where a secret is: that one is there, never what it is. */
const HIDDEN = '••••';

/** The Destinations panel's content. */
export function destinationsHtml(view: DestinationsView): string {
  const offered =
    view.offered.length === 0
      ? '<div class="dest-empty">This policy names no destination.</div>'
      : `<ul class="dest-offered">${view.offered.map((o) => `<li>${escapeHtml(o)}</li>`).join('')}</ul>`;
  const vault =
    view.vault.length === 0
      ? '<div class="dest-empty">Nothing written yet.</div>'
      : view.vault
          .map(
            (p) =>
              `<div class="dest-path" data-path="${escapeHtml(p.path)}"><code>${escapeHtml(p.path)}</code>${p.versions
                .map(
                  (v) =>
                    `<div class="dest-version${v.current ? ' current' : ''}" data-version="${v.version}" data-key-id="${escapeHtml(v.keyId)}">` +
                    `<div class="dest-head"><b>version ${v.version}</b>${v.current ? ' <span class="dest-tag">current</span>' : ''} <span class="when">written ${escapeHtml(v.writtenAt)}</span></div>` +
                    `<div>Key ID <code>${escapeHtml(v.keyId)}</code></div>` +
                    `<div>${escapeHtml(v.name)} · role ${escapeHtml(v.role)} · expires ${escapeHtml(v.expires)}</div>` +
                    `<div>secret ${v.secretLength === null ? 'none' : `<span class="dest-hidden">${HIDDEN}</span> (${v.secretLength} characters, kept in Vault)`}</div>` +
                    '</div>',
                )
                .join('')}</div>`,
          )
          .join('');
  const github =
    view.github.length === 0
      ? '<div class="dest-empty">No Actions secret yet.</div>'
      : view.github
          .map(
            (s) =>
              `<div class="dest-path" data-scope="${escapeHtml(s.scope)}"><code>${escapeHtml(s.scope)}</code>${s.secrets
                .map(
                  (secret) =>
                    `<div class="dest-version" data-name="${escapeHtml(secret.name)}">` +
                    `<div class="dest-head"><b>${escapeHtml(secret.name)}</b> <span class="when">updated ${escapeHtml(secret.updatedAt)}</span></div>` +
                    `<div>${secret.keyId === null ? `<span class="dest-hidden">${HIDDEN}</span> (sealed; GitHub never gives it back)` : `Key ID <code>${escapeHtml(secret.keyId)}</code>`}</div>` +
                    '</div>',
                )
                .join('')}</div>`,
          )
          .join('');
  const arrivals =
    view.arrivals.length === 0
      ? '<div class="dest-empty">No key has arrived yet.</div>'
      : `<ol class="dest-arrivals" reversed>${view.arrivals
          .slice()
          .reverse()
          .map((a) => `<li>${escapeHtml(a.line)}</li>`)
          .join('')}</ol>`;
  return [
    `<div class="dest-section"><h3>Offered by the policy</h3>${offered}</div>`,
    `<div class="dest-section" data-service="vault"><h3>Vault</h3>${vault}</div>`,
    `<div class="dest-section" data-service="github"><h3>GitHub Actions</h3>${github}</div>`,
    `<div class="dest-section"><h3>As they arrived</h3>${arrivals}</div>`,
  ].join('');
}
