import type { Clock } from '../core/clock.js';
import { Secret } from '../core/secret.js';
import { loginUrlPath } from './paths.js';
import { LoginSchema, readReply } from './schemas.js';
import type { VaultTransport } from './transport.js';

/** Where a call's `X-Vault-Token` comes from. */
export interface TokenSource {
  /** A token believed alive; may log in first. */
  token(): Promise<Secret>;
  /**
   * Vault refused `stale` (403) although it should be alive: a fresh token when one can be had (one new
   * login, shared by every caller that saw the same refusal), or null when there is nothing new to try.
   */
  replace(stale: Secret): Promise<Secret | null>;
}

/** `VAULT_TOKEN`: used as given; a refusal cannot be cured by logging in. */
export class StaticToken implements TokenSource {
  readonly #token: Secret;

  constructor(token: Secret) {
    this.#token = token;
  }

  token(): Promise<Secret> {
    return Promise.resolve(this.#token);
  }

  replace(): Promise<null> {
    return Promise.resolve(null);
  }
}

/**
 * Once this share of a token's lease has passed, the next call logs in again first: the third left over
 * covers a call that starts just before the mark and any skew between our clock and Vault's.
 */
const RENEW_AFTER_LEASE_SHARE = 2 / 3;

interface Session {
  token: Secret;
  /** Epoch ms from which the next call logs in again; null for a token without a lease (TTL 0). */
  renewAt: number | null;
}

export interface AppRoleOptions {
  roleId: string;
  secretId: Secret;
  approleMount: string;
  transport: VaultTransport;
  clock: Clock;
}

/**
 * AppRole: `POST /v1/auth/<mount>/login` with the role id and secret id, the token kept in a `Secret`.
 * Renewal is a new login, made by the first call after two thirds of the lease (`auth.lease_duration`,
 * counted from when the login was sent, on the injected clock), so no call ever goes out with a token
 * near its end, and nothing runs while the client is idle. Concurrent callers share one login.
 */
export class AppRoleLogin implements TokenSource {
  readonly #options: AppRoleOptions;
  readonly #path: string;
  #session: Session | null = null;
  #login: Promise<Secret> | null = null;

  constructor(options: AppRoleOptions) {
    this.#options = options;
    this.#path = loginUrlPath(options.approleMount);
  }

  token(): Promise<Secret> {
    const session = this.#session;
    if (session !== null && (session.renewAt === null || this.#now() < session.renewAt)) {
      return Promise.resolve(session.token);
    }
    return this.#loginOnce();
  }

  replace(stale: Secret): Promise<Secret> {
    // Another caller already replaced it (or is replacing it): share that, rather than log in again.
    if (this.#session?.token === stale) this.#session = null;
    return this.#session === null ? this.#loginOnce() : this.token();
  }

  #loginOnce(): Promise<Secret> {
    if (this.#login === null) {
      const login = this.#logIn();
      this.#login = login;
      const clear = () => {
        if (this.#login === login) this.#login = null;
      };
      login.then(clear, clear);
    }
    return this.#login;
  }

  async #logIn(): Promise<Secret> {
    const { roleId, secretId, transport } = this.#options;
    const sentAt = this.#now();
    const reply = await transport.send({
      operation: 'app-role-login',
      method: 'POST',
      route: '/v1/auth/{approle_mount_path}/login',
      path: this.#path,
      token: null,
      body: () => ({ role_id: roleId, secret_id: secretId.reveal() }),
      secrets: [secretId],
      retry: 'idempotent',
    });
    const { auth } = readReply(reply, LoginSchema);
    // Wrapped at once: from here on the token only prints as a placeholder.
    const token = new Secret(auth.client_token);
    const leaseMs = auth.lease_duration * 1000;
    this.#session = { token, renewAt: leaseMs === 0 ? null : sentAt + leaseMs * RENEW_AFTER_LEASE_SHARE };
    return token;
  }

  #now(): number {
    return this.#options.clock.now().getTime();
  }
}
