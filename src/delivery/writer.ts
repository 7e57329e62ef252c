/**
 * The destinations of product.md §12 behind the workflow's `DestinationWriter`: GitHub Actions
 * secrets through the GitHub App client (sealed boxes, installation tokens), and Vault KV version 2
 * through the Vault client (AppRole or a token). Nothing here decides whether to write: the
 * workflow does, through the gate.
 */
import type { Logger } from 'pino';
import {
  type DeliveredKey,
  type DeliveryItem,
  DestinationError,
  type DestinationWriter,
  fillPath,
} from '../core/delivery-ports.js';
import type { Destination } from '../core/policy-model.js';
import { Secret } from '../core/secret.js';
import { UpstreamError } from '../core/upstream-errors.js';
import { type ActionsSecretTarget, type GitHubAppClient, GitHubNotFoundError } from '../github/index.js';
import { type VaultClient, VaultNotFoundError } from '../vault/index.js';

export interface DestinationClients {
  github: GitHubAppClient | null;
  vault: VaultClient | null;
  logger: Logger;
}

/** GitHub's `updated_at` is to the second; a write in the same second as the attempt began still counts. */
const TIMESTAMP_SLACK_MS = 1_000;

export class Destinations implements DestinationWriter {
  readonly #github: GitHubAppClient | null;
  readonly #vault: VaultClient | null;
  readonly #logger: Logger;

  constructor(clients: DestinationClients) {
    this.#github = clients.github;
    this.#vault = clients.vault;
    this.#logger = clients.logger;
  }

  async write(destination: Destination, item: DeliveryItem): Promise<void> {
    try {
      if (destination.type === 'github-actions') await this.#writeGitHub(destination, item);
      else await this.#writeVault(destination, item);
    } catch (error) {
      throw asDestinationError(destination, error, item.secret);
    }
  }

  async holds(destination: Destination, key: DeliveredKey, since: Date): Promise<boolean | null> {
    try {
      if (destination.type === 'github-actions') {
        const github = this.#client(destination, this.#github);
        const target = targetOf(destination);
        // The value cannot be read back: both names updated since the attempt began mean it wrote them.
        const [id, secret] = await Promise.all([
          github.getSecretMetadata(target, destination.names.keyId),
          github.getSecretMetadata(target, destination.names.keySecret),
        ]);
        const after = since.getTime() - TIMESTAMP_SLACK_MS;
        return Date.parse(id.updatedAt) >= after && Date.parse(secret.updatedAt) >= after;
      }
      const vault = this.#client(destination, this.#vault);
      // Keyhouse may read versions' metadata, never their values (README, the Vault policy): the
      // current version written since the attempt began is the attempt's.
      const metadata = await vault.readMetadata(destination.mount, fillPath(destination.path, key));
      const current = metadata.versions[String(metadata.currentVersion)];
      return current !== undefined && Date.parse(current.createdTime) >= since.getTime() - TIMESTAMP_SLACK_MS;
    } catch (error) {
      // Nothing there: nothing was written.
      if (error instanceof GitHubNotFoundError || error instanceof VaultNotFoundError) return false;
      this.#logger.warn(
        { err: error, destination: destination.id },
        'could not tell what a destination holds',
      );
      return null;
    }
  }

  async #writeGitHub(
    destination: Extract<Destination, { type: 'github-actions' }>,
    item: DeliveryItem,
  ): Promise<void> {
    const github = this.#client(destination, this.#github);
    const target = targetOf(destination);
    // The id first, then the secret. Should the second write fail, the id just written names a key
    // that is about to be deleted (deliver.ts): it is taken back, so no reader pairs it with the
    // secret still there. What the id held before cannot be put back: Keyhouse never keeps a Key ID.
    await github.writeSecrets(target, [{ name: destination.names.keyId, value: new Secret(item.keyId) }]);
    try {
      await github.writeSecrets(target, [{ name: destination.names.keySecret, value: item.secret }]);
    } catch (error) {
      await github
        .deleteSecret(target, destination.names.keyId)
        .catch((undo: unknown) =>
          this.#logger.error(
            { err: undo, destination: destination.id },
            'could not take back the key id after a failed secret write',
          ),
        );
      throw error;
    }
  }

  async #writeVault(
    destination: Extract<Destination, { type: 'vault-kv' }>,
    item: DeliveryItem,
  ): Promise<void> {
    const vault = this.#client(destination, this.#vault);
    const path = fillPath(destination.path, item);
    // Which version is current before the write (0: none yet), so that a write answered with an
    // error that landed all the same (Vault answering 500 after writing) is known by the version it
    // made: deleting its key then would leave Vault naming a dead key. A Vault that cannot answer
    // this (a refused login, sealed) refuses the write too: its error is the write's.
    const before = await this.#currentVersion(vault, destination.mount, path);
    try {
      // One version holds the whole key, so a reader never sees an id from one key and a secret from another.
      await vault.writeVersion(destination.mount, path, {
        keyId: item.keyId,
        keySecret: item.secret,
        name: item.keyName,
        role: item.roleId,
        expireAt: item.expireAt ?? 'never',
      });
    } catch (error) {
      const after = await this.#currentVersion(vault, destination.mount, path).catch(() => null);
      if (after !== null && after > before) {
        this.#logger.warn(
          { err: error, destination: destination.id },
          'Vault answered the write with an error, but a new version is there: it landed',
        );
        return;
      }
      throw error;
    }
  }

  /** The current version's number at `path`, 0 when nothing is there; throws when Vault does not answer. */
  async #currentVersion(vault: VaultClient, mount: string, path: string): Promise<number> {
    try {
      return (await vault.readMetadata(mount, path)).currentVersion;
    } catch (error) {
      if (error instanceof VaultNotFoundError) return 0;
      throw error;
    }
  }

  #client<T>(destination: Destination, client: T | null): T {
    if (client) return client;
    // Configuration at start refuses this (delivery/check.ts); kept as a clear error all the same.
    throw new DestinationError(destination.id, `${destination.type} is not configured in this Keyhouse`);
  }
}

function targetOf(destination: Extract<Destination, { type: 'github-actions' }>): ActionsSecretTarget {
  return destination.environment
    ? { repository: destination.repository, environment: destination.environment }
    : { repository: destination.repository };
}

/**
 * What failed, scrubbed of the secret in case a service ever echoed it: the whole error for the
 * log, and the service's own words (only an answer's; Keyhouse's own checks are no one's words to
 * quote) for the person.
 */
function asDestinationError(destination: Destination, error: unknown, secret: Secret): DestinationError {
  if (error instanceof DestinationError) return error;
  const scrub = (text: string) => text.replaceAll(secret.reveal(), '[redacted]');
  const detail = scrub(error instanceof Error ? error.message : 'unknown error');
  const said = error instanceof UpstreamError && error.serverMessage ? scrub(error.serverMessage) : null;
  return new DestinationError(destination.id, detail, { said });
}
