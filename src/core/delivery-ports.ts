/**
 * Delivery where a key is used (product.md §12): the workflow's narrow view of GitHub Actions and
 * Vault. The writer (src/delivery) knows the services; the workflow knows only that a key's id and
 * secret go to a destination, and what the destination said when it refused.
 */
import { KeyhouseError } from './errors.js';
import type { Destination } from './policy-model.js';
import type { Secret } from './secret.js';

/** What is written for one key. Only the writer reveals `secret`, into the request it sends. */
export interface DeliveryItem {
  keyId: string;
  secret: Secret;
  keyName: string;
  /** The policy role's id. */
  roleId: string;
  requesterId: string;
  /** The key's own expiry, ISO; null: never. */
  expireAt: string | null;
}

/**
 * Which key a destination should be holding, for settling an interrupted write: the store keeps
 * the key's UUID and the last four characters of its Key ID (`keySuffix`), not the Key ID itself.
 */
export type DeliveredKey = Omit<DeliveryItem, 'secret' | 'expireAt' | 'keyId'> & { keySuffix: string };

export interface DestinationWriter {
  /**
   * Writes the key into the destination. Throws `DestinationError` with the destination's own words
   * (never a credential or the secret). A write that fails half-way (GitHub's two secrets) takes back
   * what it wrote, so the destination never names a key id whose secret it does not hold: the key
   * made for it is deleted next, and Keyhouse never knows the Key ID of the key held before (the
   * store keeps its UUID and suffix), so nothing could be put back in its place.
   */
  write(destination: Destination, item: DeliveryItem): Promise<void>;
  /**
   * Whether the destination holds `key` now, written at or after `since`: true, false, or null when
   * it cannot say (then the caller assumes the worst). Only ids and timestamps are read.
   */
  holds(destination: Destination, key: DeliveredKey, since: Date): Promise<boolean | null>;
}

/**
 * A destination refused or could not be reached. `detail` says what failed, for the log (no
 * credential, no secret); `said` is only the destination's own words, which a person may read
 * quoted (null when it said nothing, or Keyhouse stopped before asking it).
 */
export class DestinationError extends KeyhouseError {
  override readonly name = 'DestinationError';
  readonly destinationId: string;
  readonly detail: string;
  readonly said: string | null;

  constructor(destinationId: string, detail: string, options?: ErrorOptions & { said?: string | null }) {
    super('delivery_failed', `destination ${destinationId}: ${detail}`, options);
    this.destinationId = destinationId;
    this.detail = detail;
    this.said = options?.said ?? null;
  }
}

/**
 * What a person is shown of why a key was not written: the words of the service that refused,
 * quoted as it said them (ClickHouse making the key, or the destination writing it), or null when
 * no service said anything (no answer; Keyhouse stopped first). Never Keyhouse's own English: its
 * reasons are the catalog's (product.md §14).
 */
export interface ServiceSaid {
  by: 'clickhouse' | 'destination';
  words: string;
}

/** Fills a Vault path's placeholders for one key (product.md §12). */
export function fillPath(
  template: string,
  key: Pick<DeliveryItem, 'keyName' | 'roleId' | 'requesterId'>,
): string {
  return template
    .replaceAll('{keyName}', safeSegment(key.keyName))
    .replaceAll('{role}', safeSegment(key.roleId))
    .replaceAll('{requester}', safeSegment(key.requesterId));
}

/** A key name may hold spaces and dots; in a path it becomes one plain segment. */
function safeSegment(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^\.+/, '_');
  return cleaned === '' ? '_' : cleaned;
}

/** Where a destination is, in words safe anywhere: `acme/infra` (environment `production`), or Vault `secret/clickhouse/x`. */
export function placeOf(
  destination: Destination,
  key?: Pick<DeliveryItem, 'keyName' | 'roleId' | 'requesterId'>,
) {
  if (destination.type === 'github-actions') {
    return {
      kind: 'github' as const,
      repository: destination.repository,
      environment: destination.environment ?? null,
      names: [destination.names.keyId, destination.names.keySecret],
    };
  }
  return {
    kind: 'vault' as const,
    path: `${destination.mount}/${key ? fillPath(destination.path, key) : destination.path}`,
  };
}

export type Place = ReturnType<typeof placeOf>;

/** What the requester (or a key's owner) is told about a delivery (product.md §12). */
export type DeliveryNotice =
  | {
      kind: 'delivered';
      keyName: string;
      keySuffix: string;
      roleLabel: string;
      expireAt: Date | null;
      place: Place;
    }
  | { kind: 'rotated'; keyName: string; keySuffix: string; place: Place }
  | {
      kind: 'failed';
      requestId: string;
      keyName: string;
      place: Place;
      /** What the service that refused said (no credential, no secret), or null. */
      said: ServiceSaid | null;
      /** False while the key made for it is still being deleted. */
      keyDeleted: boolean;
    };

/** A scheduled rotation whose successor could not be written, for the security channel (told once). */
export interface RotationFailure {
  keyName: string;
  keySuffix: string;
  place: Place;
  /** What the service that refused said, or null. */
  said: ServiceSaid | null;
}

export interface DeliveryNotifier {
  /** A direct message to `userId`. */
  tell(userId: string, notice: DeliveryNotice): Promise<void>;
  /** One message to the policy's security channel. */
  rotationFailed(failure: RotationFailure): Promise<void>;
}
