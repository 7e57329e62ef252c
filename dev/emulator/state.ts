import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../src/core/clock.js';
import { badRequest, notFound } from './errors.js';
import { hashCredential, ipAllowed, isUuid } from './ids.js';
import { checkPolicy, type ResourceScope } from './permissions.js';
import { LEGACY_ROLE_SYSTEM_ROLES, type StoredRole, seedSystemRoles, storedPolicy } from './roles.js';
import { checkServiceName, makeService, type NewService } from './services.js';
import type {
  EmulatedKey,
  EmulatedOrganization,
  EmulatedRole,
  EmulatedService,
  IpAccessListEntry,
  KeyState,
  LegacyRole,
  PolicyTags,
} from './types.js';

/** What the emulator remembers of a key: hashes of its credentials, never the secret itself. */
interface StoredKey {
  id: string;
  name: string;
  state: KeyState;
  roles: LegacyRole[];
  assignedRoleIds: string[];
  keySuffix: string;
  createdAt: Date;
  expireAt: Date | null;
  usedAt: Date | null;
  ipAccessList: IpAccessListEntry[];
  keyIdHash: string;
  keySecretHash: string;
}

export interface NewKey {
  name: string;
  state: KeyState;
  roles: LegacyRole[];
  assignedRoleIds: string[];
  expireAt: Date | null;
  ipAccessList: IpAccessListEntry[];
}

/** Omitted fields stay as they are; `expireAt: null` clears the expiry. */
export type KeyPatch = Partial<NewKey>;

/** One policy of `RoleCreateRequest` / `RoleUpdateRequest` (`RBACPolicyCreateRequest`). */
export interface NewPolicy {
  allowDeny: 'ALLOW' | 'DENY';
  permissions: string[];
  resources: string[];
  tags?: PolicyTags;
}

/** `RoleCreateRequest`: `actors` are `user/<uuid>` and `apiKey/<key uuid>`. */
export interface NewRole {
  name: string;
  actors: string[];
  policies: NewPolicy[];
}

/** `RoleUpdateRequest`: a given `actors` or `policies` list replaces the stored one (SPEC). */
export type RolePatch = Partial<NewRole>;

/** Credentials as the emulator keeps them (the `hashData` shape the spec defines). */
export interface HashedCredentials {
  keyIdHash: string;
  keyIdSuffix: string;
  keySecretHash: string;
}

/** Who did something, as an `Activity` names them. */
export interface ActivityActor {
  actorType: 'user' | 'support' | 'system' | 'api';
  actorId: string;
  actorDetails: string;
  actorIpAddress?: string;
}

export type KeyUpdateType =
  | 'created'
  | 'deleted'
  | 'name-changed'
  | 'role-changed'
  | 'state-changed'
  | 'date-changed'
  | 'ip-access-list-changed'
  | 'roles-v2-changed';

/** The activity types the emulator records: key events, and a few others a watch must read past. */
export type ActivityType =
  | 'openapi_key_update'
  | 'key_create'
  | 'key_delete'
  | 'service_start'
  | 'service_stop'
  | 'user_login';

/** An `Activity` as the spec's component schema names its fields. */
export interface EmulatedActivity {
  id: string;
  createdAt: string;
  type: ActivityType;
  actorType: ActivityActor['actorType'];
  actorId: string;
  actorDetails: string;
  actorIpAddress?: string;
  organizationId: string;
  /** Key events only. */
  targetKeyId?: string;
  keyUpdateType?: KeyUpdateType;
}

/** An activity as served: the spec requires no field, so an entry may lack any of them. */
export type ServedActivity = Partial<EmulatedActivity>;

/** A recorded activity, and the fields it is served without (a malformed entry, planned by a test). */
interface StoredActivity {
  activity: EmulatedActivity;
  without: ReadonlyArray<keyof EmulatedActivity>;
}

export type AuthResult = { ok: true; keyUuid: string } | { ok: false; status: 401 | 403; message: string };

export interface StateOptions {
  clock: Clock;
  organizationId: string;
  organizationName: string;
  maxKeys: number;
}

/** The one organization the emulator serves: its keys, roles and services, and the rules that guard them. */
export class EmulatorState {
  readonly organization: EmulatedOrganization;
  readonly #clock: Clock;
  readonly #maxKeys: number;
  readonly #keys = new Map<string, StoredKey>();
  readonly #roles: StoredRole[];
  readonly #services = new Map<string, EmulatedService>();
  readonly #activities: StoredActivity[] = [];

  constructor(options: StateOptions) {
    this.#clock = options.clock;
    this.#maxKeys = options.maxKeys;
    const createdAt = options.clock.now().toISOString();
    this.organization = {
      id: options.organizationId,
      createdAt,
      name: options.organizationName,
      privateEndpoints: [],
      byocConfig: [],
      enableCoreDumps: true,
    };
    this.#roles = seedSystemRoles(options.organizationId, createdAt, randomUUID());
  }

  /**
   * Basic-auth check. Unknown ID and wrong secret give the same answer so the API does not confirm
   * which key IDs exist. Disabled and expired keys get 401 too (assumed, UNCERTAIN on the management
   * API). A key whose IP access list does not cover the caller gets 403 (the status is UNCERTAIN; an
   * empty list denies everyone, as live QA found in clickhousectl #829).
   */
  authenticate(keyId: string, keySecret: string, clientAddress: string): AuthResult {
    const idHash = hashCredential(keyId);
    const key = [...this.#keys.values()].find((candidate) => candidate.keyIdHash === idHash);
    const secretOk =
      key !== undefined &&
      timingSafeEqual(Buffer.from(hashCredential(keySecret)), Buffer.from(key.keySecretHash));
    if (!key || !secretOk) return { ok: false, status: 401, message: 'Key is not found' };
    if (key.state === 'disabled') return { ok: false, status: 401, message: 'Key is disabled' };
    if (key.expireAt && key.expireAt.getTime() <= this.#clock.now().getTime()) {
      return { ok: false, status: 401, message: 'Key has expired' };
    }
    if (!key.ipAccessList.some((entry) => ipAllowed(clientAddress, entry.source))) {
      return {
        ok: false,
        status: 403,
        message: `IP address ${clientAddress} is not allowed to use this key`,
      };
    }
    return { ok: true, keyUuid: key.id };
  }

  /** `usedAt` has one-minute precision in the real API. */
  markUsed(keyUuid: string): void {
    const key = this.#keys.get(keyUuid);
    if (!key) return;
    const ms = this.#clock.now().getTime();
    key.usedAt = new Date(ms - (ms % 60_000));
  }

  listKeys(): EmulatedKey[] {
    return [...this.#keys.values()].map((key) => this.#keyView(key));
  }

  getKey(keyUuid: string): EmulatedKey {
    return this.#keyView(this.#stored(keyUuid));
  }

  createKey(input: NewKey, credentials: HashedCredentials): EmulatedKey {
    if (this.#keys.size >= this.#maxKeys) {
      throw badRequest(
        `Organization has reached the maximum number of API keys (${this.#maxKeys}); ` +
          'delete a key or contact support',
      );
    }
    if ([...this.#keys.values()].some((key) => key.keyIdHash === credentials.keyIdHash)) {
      throw badRequest('A key with this key ID already exists');
    }
    const key: StoredKey = {
      id: randomUUID(),
      name: input.name,
      state: input.state,
      roles: [...input.roles],
      assignedRoleIds: this.resolveRoleIds([...input.assignedRoleIds, ...this.#legacyRoleIds(input.roles)]),
      keySuffix: credentials.keyIdSuffix,
      createdAt: this.#clock.now(),
      expireAt: input.expireAt,
      usedAt: null,
      ipAccessList: input.ipAccessList.map((entry) => ({ ...entry })),
      keyIdHash: credentials.keyIdHash,
      keySecretHash: credentials.keySecretHash,
    };
    this.#keys.set(key.id, key);
    return this.#keyView(key);
  }

  /**
   * Arrays replace the stored ones wholesale (assumed; the spec shows plain arrays, not add/remove).
   * Legacy `roles` replace the assigned roles with the system roles they stand for; `assignedRoleIds`
   * alone leave `roles` as they were (SPEC: "frozen at the pre-migration value").
   */
  updateKey(keyUuid: string, patch: KeyPatch): EmulatedKey {
    const key = this.#stored(keyUuid);
    const roleIds =
      patch.assignedRoleIds === undefined && patch.roles === undefined
        ? undefined
        : this.resolveRoleIds([...(patch.assignedRoleIds ?? []), ...this.#legacyRoleIds(patch.roles ?? [])]);
    if (patch.name !== undefined) key.name = patch.name;
    if (patch.state !== undefined) key.state = patch.state;
    if (patch.roles !== undefined) key.roles = [...patch.roles];
    if (roleIds !== undefined) key.assignedRoleIds = roleIds;
    if (patch.expireAt !== undefined) key.expireAt = patch.expireAt;
    if (patch.ipAccessList !== undefined)
      key.ipAccessList = patch.ipAccessList.map((entry) => ({ ...entry }));
    return this.#keyView(key);
  }

  deleteKey(keyUuid: string): void {
    this.#stored(keyUuid);
    this.#keys.delete(keyUuid);
  }

  /**
   * Records a key event. One `openapi_key_update` activity per change, with `targetKeyId` and the
   * `keyUpdateType` (a create is `created`, a delete `deleted`, a PATCH one entry per aspect it
   * changed). The spec also lists `key_create` / `key_delete` types, without a target key field;
   * which the live API writes for what is UNCERTAIN, so the emulator writes the kind that names
   * the key, and clients should read all three.
   */
  recordKeyActivity(actor: ActivityActor, targetKeyId: string, keyUpdateType: KeyUpdateType): void {
    this.recordActivity(actor, { type: 'openapi_key_update', targetKeyId, keyUpdateType });
  }

  /** Records an activity of any type now; `without` names fields it is served without. */
  recordActivity(
    actor: ActivityActor,
    fields: Pick<EmulatedActivity, 'type' | 'targetKeyId' | 'keyUpdateType'>,
    without: ReadonlyArray<keyof EmulatedActivity> = [],
  ): EmulatedActivity {
    const activity: EmulatedActivity = {
      id: randomUUID(),
      createdAt: this.#clock.now().toISOString(),
      ...actor,
      organizationId: this.organization.id,
      ...fields,
    };
    this.#activities.push({ activity, without });
    return { ...activity };
  }

  /**
   * Activities with `from <= createdAt <= to` (either bound optional), oldest first. The bounds
   * apply to when an activity happened, whether or not its entry shows it.
   */
  listActivities(from: Date | null, to: Date | null): ServedActivity[] {
    return this.#activities
      .filter(({ activity }) => {
        const at = Date.parse(activity.createdAt);
        return (from === null || at >= from.getTime()) && (to === null || at <= to.getTime());
      })
      .map(({ activity, without }) => {
        const served: ServedActivity = { ...activity };
        for (const field of without) delete served[field];
        return served;
      });
  }

  /** The actor a key authenticating a request appears as. */
  apiActor(keyUuid: string, ipAddress: string): ActivityActor {
    const key = this.#keys.get(keyUuid);
    return {
      actorType: 'api',
      actorId: keyUuid,
      actorDetails: key ? `API key ${key.name} (…${key.keySuffix})` : 'API key',
      actorIpAddress: ipAddress,
    };
  }

  listRoles(): EmulatedRole[] {
    return this.#roles.map((role) => this.#roleView(role));
  }

  getRole(roleId: string): EmulatedRole {
    const role = this.#roles.find((candidate) => candidate.id === roleId);
    if (!role) throw notFound(`Role ${roleId} not found`);
    return this.#roleView(role);
  }

  /** A role by UUID or by name (case-insensitive), for seeding keys "in the console". */
  findRole(idOrName: string): EmulatedRole | undefined {
    const lower = idOrName.toLowerCase();
    const role = this.#roles.find((r) => r.id === idOrName || r.name.toLowerCase() === lower);
    return role ? this.#roleView(role) : undefined;
  }

  /** Deduplicated role UUIDs; an unknown one is a 400, as a client error. */
  resolveRoleIds(roleIds: readonly string[]): string[] {
    const unknown = roleIds.filter((id) => !this.#roles.some((role) => role.id === id));
    if (unknown.length > 0) throw badRequest(`Unknown role id(s) in assignedRoleIds: ${unknown.join(', ')}`);
    return [...new Set(roleIds)];
  }

  /**
   * `POST …/roles`. The name must be new (case-insensitively; whether the live API requires it is
   * UNCERTAIN); `apiKey/<uuid>` actors must be keys of the organization, and each of them holds the
   * role at once, as if it had been given in that key's `assignedRoleIds`.
   */
  createRole(input: NewRole): EmulatedRole {
    this.#checkRoleName(input.name, null);
    const keyIds = this.#keyActors(input.actors);
    this.#checkPolicies(input.policies);
    const id = randomUUID();
    const tenantId = `organization/${this.organization.id}`;
    const now = this.#clock.now().toISOString();
    const role: StoredRole = {
      id,
      tenantId,
      ownerId: tenantId,
      name: input.name,
      type: 'custom',
      actors: userActors(input.actors),
      policies: input.policies.map((policy) => storedPolicy(id, tenantId, policy, policy.tags)),
      createdAt: now,
      updatedAt: now,
    };
    this.#roles.push(role);
    this.#assignRole(id, keyIds);
    return this.#roleView(role);
  }

  /** `PATCH …/roles/{roleId}`: everything is checked before anything changes. */
  updateRole(roleId: string, patch: RolePatch): EmulatedRole {
    const role = this.#customRole(roleId, 'updated');
    if (patch.name !== undefined) this.#checkRoleName(patch.name, role.id);
    const keyIds = patch.actors === undefined ? undefined : this.#keyActors(patch.actors);
    if (patch.policies !== undefined) this.#checkPolicies(patch.policies);
    if (patch.name !== undefined) role.name = patch.name;
    if (patch.actors !== undefined) role.actors = userActors(patch.actors);
    if (keyIds !== undefined) this.#assignRole(role.id, keyIds);
    if (patch.policies !== undefined) {
      role.policies = patch.policies.map((policy) =>
        storedPolicy(role.id, role.tenantId, policy, policy.tags),
      );
    }
    role.updatedAt = this.#clock.now().toISOString();
    return this.#roleView(role);
  }

  /**
   * `DELETE …/roles/{roleId}`. What the live API does with a role a key or person still holds is
   * UNCERTAIN (the spec only says the role and its policies are removed); the emulator refuses with
   * a 400, so a client must unassign it first and never strands a key without its access.
   */
  deleteRole(roleId: string): void {
    const role = this.#customRole(roleId, 'deleted');
    const holders = this.#roleView(role).actors;
    if (holders.length > 0) {
      throw badRequest(`Role ${role.id} is still assigned to ${holders.join(', ')}; unassign it first`);
    }
    this.#roles.splice(this.#roles.indexOf(role), 1);
  }

  listServices(): EmulatedService[] {
    return [...this.#services.values()].map((service) => structuredClone(service));
  }

  getService(serviceId: string): EmulatedService {
    return structuredClone(this.#service(serviceId));
  }

  /** A service made in the console (the API's own `POST …/services` is not emulated). */
  addService(input: NewService): EmulatedService {
    const service = makeService(input, this.#clock.now().toISOString());
    if (this.#services.has(service.id)) throw new Error(`a service with id ${service.id} exists`);
    this.#services.set(service.id, service);
    return structuredClone(service);
  }

  /** Renamed in the console: roles name services by id, so they are unaffected. */
  renameService(serviceId: string, name: string): EmulatedService {
    this.#service(serviceId).name = checkServiceName(name);
    return this.getService(serviceId);
  }

  /**
   * Deleted in the console. Custom roles keep naming it in their policies: whether the live API
   * prunes such resources is UNCERTAIN, and a client must cope with an id that no longer resolves.
   */
  removeService(serviceId: string): void {
    this.#service(serviceId);
    this.#services.delete(serviceId);
  }

  #service(serviceId: string): EmulatedService {
    const service = this.#services.get(serviceId);
    if (!service) throw notFound(`Service ${serviceId} not found`);
    return service;
  }

  /** SPEC: "System roles cannot be updated" / "cannot be deleted"; 400 is the only client error it declares. */
  #customRole(roleId: string, verb: 'updated' | 'deleted'): StoredRole {
    const role = this.#roles.find((candidate) => candidate.id === roleId);
    if (!role) throw notFound(`Role ${roleId} not found`);
    if (role.type === 'system') throw badRequest(`System role ${role.name} cannot be ${verb}`);
    return role;
  }

  #checkRoleName(name: string, ownId: string | null): void {
    const lower = name.toLowerCase();
    const clash = this.#roles.find((role) => role.id !== ownId && role.name.toLowerCase() === lower);
    if (clash) throw badRequest(`A role named ${JSON.stringify(clash.name)} already exists`);
  }

  /** The key UUIDs among `actors`; a malformed actor or an unknown key is a 400. */
  #keyActors(actors: readonly string[]): string[] {
    return actors.flatMap((actor, i) => {
      const [type, id = '', ...rest] = actor.split('/');
      if (rest.length > 0 || !isUuid(id) || (type !== 'user' && type !== 'apiKey')) {
        throw badRequest(`actors.${i} '${actor}': must be user/<uuid> or apiKey/<key id>`);
      }
      if (type === 'user') return [];
      if (!this.#keys.has(id)) throw badRequest(`actors.${i} '${actor}': no such API key`);
      return [id];
    });
  }

  #checkPolicies(policies: readonly NewPolicy[]): void {
    const scope: ResourceScope = {
      organizationId: this.organization.id,
      serviceExists: (serviceId) => this.#services.has(serviceId),
    };
    policies.forEach((policy, i) => {
      checkPolicy(policy, scope, `policies.${i}`);
    });
  }

  /** Exactly `keyIds` hold `roleId` afterwards: the role's key actors, as the key side records them. */
  #assignRole(roleId: string, keyIds: readonly string[]): void {
    for (const key of this.#keys.values()) {
      const holds = key.assignedRoleIds.includes(roleId);
      const should = keyIds.includes(key.id);
      if (should && !holds) key.assignedRoleIds = [...key.assignedRoleIds, roleId];
      if (!should && holds) key.assignedRoleIds = key.assignedRoleIds.filter((id) => id !== roleId);
    }
  }

  /** The system roles standing for legacy `roles` (the mapping is UNCERTAIN; see roles.ts). */
  #legacyRoleIds(roles: readonly LegacyRole[]): string[] {
    return roles.flatMap((legacy) =>
      LEGACY_ROLE_SYSTEM_ROLES[legacy].map((name) => {
        const role = this.findRole(name);
        if (!role) throw new Error(`system role ${name} missing`);
        return role.id;
      }),
    );
  }

  #stored(keyUuid: string): StoredKey {
    const key = this.#keys.get(keyUuid);
    if (!key) throw notFound(`API key ${keyUuid} not found`);
    return key;
  }

  #keyView(key: StoredKey): EmulatedKey {
    const assignedRoles = key.assignedRoleIds.flatMap((roleId) => {
      const role = this.#roles.find((candidate) => candidate.id === roleId);
      return role ? [{ roleId: role.id, roleName: role.name, roleType: role.type }] : [];
    });
    return {
      id: key.id,
      name: key.name,
      state: key.state,
      roles: [...key.roles],
      assignedRoles,
      keySuffix: key.keySuffix,
      createdAt: key.createdAt.toISOString(),
      expireAt: key.expireAt ? key.expireAt.toISOString() : null,
      ...(key.usedAt ? { usedAt: key.usedAt.toISOString() } : {}),
      ipAccessList: key.ipAccessList.map((entry) => ({ ...entry })),
    };
  }

  /** Keys holding a role appear among its actors as `apiKey/<uuid>`, as the real role model shows them. */
  #roleView(role: StoredRole): EmulatedRole {
    const keyActors = [...this.#keys.values()]
      .filter((key) => key.assignedRoleIds.includes(role.id))
      .map((key) => `apiKey/${key.id}`);
    return {
      ...role,
      actors: [...role.actors, ...keyActors],
      policies: role.policies.map((policy) => ({
        ...policy,
        permissions: [...policy.permissions],
        resources: [...policy.resources],
      })),
    };
  }
}

function userActors(actors: readonly string[]): string[] {
  return [...new Set(actors.filter((actor) => actor.startsWith('user/')))];
}
