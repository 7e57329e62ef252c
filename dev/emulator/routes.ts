import { z } from 'zod';
import { badRequest, notFound } from './errors.js';
import { generateKeyId, generateKeySecret, hashCredential, isIpOrCidr, isUuid } from './ids.js';
import { createRole, deleteRole, getService, listServices, updateRole } from './role-routes.js';
import { keyChanges, parseBody, type RouteContext, type RouteOutcome } from './route-support.js';
import type { HashedCredentials, KeyPatch } from './state.js';
import { LEGACY_ROLES } from './types.js';

export type EmulatorRoute =
  | 'listOrganizations'
  | 'getOrganization'
  | 'listKeys'
  | 'createKey'
  | 'getKey'
  | 'updateKey'
  | 'deleteKey'
  | 'listRoles'
  | 'getRole'
  | 'createRole'
  | 'updateRole'
  | 'deleteRole'
  | 'listServices'
  | 'getService'
  | 'listActivities';

interface RouteDef {
  name: EmulatorRoute;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path template as in the spec; every `{param}` is a UUID. */
  path: string;
  takesBody: boolean;
  handle(ctx: RouteContext): RouteOutcome;
}

// --- request bodies -------------------------------------------------------------------------------
// Unknown fields are accepted and dropped (zod's default): what the live API does with them is unknown,
// and rejecting would make the emulator stricter than the spec, which declares no additionalProperties.
// The contract validator (test/support/openapi.ts) is where a client inventing fields gets caught.

const ipAccessEntry = z.object({
  source: z.string().refine(isIpOrCidr, 'must be an IP address or CIDR'),
  description: z.string().optional(),
});
/** Spec: "If not present, `null` or is empty the key never expires." */
const expireAt = z.union([z.iso.datetime({ offset: true }), z.literal(''), z.null()]);
const roleIds = z.array(z.string().refine(isUuid, 'must be a role UUID'));
const legacyRoles = z.array(z.enum(LEGACY_ROLES));
const keyState = z.enum(['enabled', 'disabled']);

const createKeyBody = z.object({
  name: z.string().min(1, 'name is required'),
  expireAt: expireAt.optional(),
  state: keyState.optional(),
  hashData: z
    .object({
      keyIdHash: z.string().min(1),
      keyIdSuffix: z.string().min(1),
      keySecretHash: z.string().min(1),
    })
    .optional(),
  // Legacy `roles` says "at least 1 element", but live creates with no roles succeed (CTL), so empty is fine.
  roles: legacyRoles.optional(),
  assignedRoleIds: roleIds.optional(),
  ipAccessList: z.array(ipAccessEntry).optional(),
});

const updateKeyBody = z.object({
  name: z.string().min(1, 'name must not be empty').optional(),
  roles: legacyRoles.optional(),
  assignedRoleIds: roleIds.optional(),
  expireAt: expireAt.optional(),
  state: keyState.optional(),
  ipAccessList: z.array(ipAccessEntry).optional(),
});

/**
 * Omitting `ipAccessList` on create is UNCERTAIN live; the emulator treats it as the console's
 * "Anywhere" default. An explicit `[]` is kept and denies every caller, as live QA found.
 */
const ANYWHERE: readonly z.infer<typeof ipAccessEntry>[] = [{ source: '0.0.0.0/0', description: 'Anywhere' }];

/**
 * `undefined` keeps (PATCH), `null` and `''` mean "never expires". Whether the live API rejects a past
 * expiry is UNCERTAIN; the emulator rejects it with a 400 so clients meet the stricter behaviour here.
 */
function parseExpiry(value: string | null | undefined, now: Date): Date | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  const date = new Date(value);
  if (date.getTime() <= now.getTime()) throw badRequest(`expireAt ${value} is not in the future`);
  return date;
}

// --- handlers ------------------------------------------------------------------------------------

function createKey({ state, body, now, callerKeyUuid, callerAddress }: RouteContext): RouteOutcome {
  const input = parseBody(createKeyBody, body);
  const expiry = parseExpiry(input.expireAt, now) ?? null;
  // With hashData the client made the credentials itself; the server sees only hashes and returns neither.
  const generated = input.hashData ? null : { keyId: generateKeyId(), keySecret: generateKeySecret() };
  const credentials: HashedCredentials = generated
    ? {
        keyIdHash: hashCredential(generated.keyId),
        keyIdSuffix: generated.keyId.slice(-4),
        keySecretHash: hashCredential(generated.keySecret),
      }
    : input.hashData!;
  const key = state.createKey(
    {
      name: input.name,
      state: input.state ?? 'enabled',
      roles: input.roles ?? [],
      assignedRoleIds: input.assignedRoleIds ?? [],
      expireAt: expiry,
      ipAccessList: input.ipAccessList ?? [...ANYWHERE],
    },
    credentials,
  );
  state.recordKeyActivity(state.apiActor(callerKeyUuid, callerAddress ?? ''), key.id, 'created');
  return { result: generated ? { key, keyId: generated.keyId, keySecret: generated.keySecret } : { key } };
}

function updateKey({ state, params, body, now, callerKeyUuid, callerAddress }: RouteContext): RouteOutcome {
  const keyId = params.keyId!;
  const before = state.getKey(keyId); // 404 before 400: a missing key is the more useful answer
  const input = parseBody(updateKeyBody, body);
  const patch: KeyPatch = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.state !== undefined) patch.state = input.state;
  if (input.roles !== undefined) patch.roles = input.roles;
  if (input.assignedRoleIds !== undefined) patch.assignedRoleIds = input.assignedRoleIds;
  if (input.ipAccessList !== undefined) patch.ipAccessList = input.ipAccessList;
  const expiry = parseExpiry(input.expireAt, now);
  if (expiry !== undefined) patch.expireAt = expiry;
  const after = state.updateKey(keyId, patch);
  const actor = state.apiActor(callerKeyUuid, callerAddress ?? '');
  for (const kind of keyChanges(before, after)) state.recordKeyActivity(actor, keyId, kind);
  return { result: after };
}

/**
 * Spec: "Only a key not used to authenticate the active request can be deleted." The status the live
 * API uses for this is UNCERTAIN (400 or 403); the emulator answers 400.
 */
function deleteKey({ state, params, callerKeyUuid, callerAddress }: RouteContext): RouteOutcome {
  const keyId = params.keyId!;
  if (keyId === callerKeyUuid) {
    throw badRequest(
      'A key cannot delete itself: only a key not used to authenticate the request can be deleted',
    );
  }
  const actor = state.apiActor(callerKeyUuid, callerAddress ?? '');
  state.deleteKey(keyId);
  state.recordKeyActivity(actor, keyId, 'deleted');
  return {};
}

/**
 * `GET …/activities?from_date&to_date` (activityGetList). Both bounds are optional date-times; the
 * spec does not say whether they are inclusive (UNCERTAIN): the emulator includes both ends, so a
 * client reading again from the last `createdAt` it saw must skip what it already handled.
 */
function listActivities({ state, query }: RouteContext): RouteOutcome {
  const bound = (name: string): Date | null => {
    const raw = query?.get(name);
    if (raw === null || raw === undefined || raw === '') return null;
    const date = new Date(raw);
    if (Number.isNaN(date.getTime())) throw badRequest(`Invalid ${name} '${raw}': must be a date-time`);
    return date;
  };
  return { result: state.listActivities(bound('from_date'), bound('to_date')) };
}

/** The route table. Order does not matter: every template has a distinct shape. */
export const ROUTES: readonly RouteDef[] = [
  {
    name: 'listOrganizations',
    method: 'GET',
    path: '/v1/organizations',
    takesBody: false,
    // Spec: "a list with a single organization associated with the API key in the request".
    handle: ({ state }) => ({ result: [state.organization] }),
  },
  {
    name: 'getOrganization',
    method: 'GET',
    path: '/v1/organizations/{organizationId}',
    takesBody: false,
    handle: ({ state }) => ({ result: state.organization }),
  },
  {
    name: 'listKeys',
    method: 'GET',
    path: '/v1/organizations/{organizationId}/keys',
    takesBody: false,
    handle: ({ state }) => ({ result: state.listKeys() }),
  },
  {
    name: 'createKey',
    method: 'POST',
    path: '/v1/organizations/{organizationId}/keys',
    takesBody: true,
    handle: createKey,
  },
  {
    name: 'getKey',
    method: 'GET',
    path: '/v1/organizations/{organizationId}/keys/{keyId}',
    takesBody: false,
    handle: ({ state, params }) => ({ result: state.getKey(params.keyId!) }),
  },
  {
    name: 'updateKey',
    method: 'PATCH',
    path: '/v1/organizations/{organizationId}/keys/{keyId}',
    takesBody: true,
    handle: updateKey,
  },
  {
    name: 'deleteKey',
    method: 'DELETE',
    path: '/v1/organizations/{organizationId}/keys/{keyId}',
    takesBody: false,
    handle: deleteKey,
  },
  {
    name: 'listRoles',
    method: 'GET',
    path: '/v1/organizations/{organizationId}/roles',
    takesBody: false,
    handle: ({ state }) => ({ result: state.listRoles() }),
  },
  {
    name: 'listActivities',
    method: 'GET',
    path: '/v1/organizations/{organizationId}/activities',
    takesBody: false,
    handle: listActivities,
  },
  {
    name: 'getRole',
    method: 'GET',
    path: '/v1/organizations/{organizationId}/roles/{roleId}',
    takesBody: false,
    handle: ({ state, params }) => ({ result: state.getRole(params.roleId!) }),
  },
  {
    name: 'createRole',
    method: 'POST',
    path: '/v1/organizations/{organizationId}/roles',
    takesBody: true,
    handle: createRole,
  },
  {
    name: 'updateRole',
    method: 'PATCH',
    path: '/v1/organizations/{organizationId}/roles/{roleId}',
    takesBody: true,
    handle: updateRole,
  },
  {
    name: 'deleteRole',
    method: 'DELETE',
    path: '/v1/organizations/{organizationId}/roles/{roleId}',
    takesBody: false,
    handle: deleteRole,
  },
  {
    name: 'listServices',
    method: 'GET',
    path: '/v1/organizations/{organizationId}/services',
    takesBody: false,
    handle: listServices,
  },
  {
    name: 'getService',
    method: 'GET',
    path: '/v1/organizations/{organizationId}/services/{serviceId}',
    takesBody: false,
    handle: getService,
  },
];

export interface RouteMatch {
  route: RouteDef;
  params: Record<string, string>;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // left as sent; the UUID check then answers 400
  }
}

export function matchRoute(method: string, pathname: string): RouteMatch | null {
  const segments = pathname.split('/');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const actual = segments[i] ?? '';
      if (part.startsWith('{')) {
        params[part.slice(1, -1)] = safeDecode(actual);
        return actual !== '';
      }
      return part === actual;
    });
    if (matches) return { route, params };
  }
  return null;
}

/**
 * Runs a matched route for an authenticated caller: path parameters first (a malformed UUID is a 400,
 * another organization a 404), then the body, then the handler. Throws `ApiError` for error answers.
 *
 * Another organization's id gets 404 rather than 403: the live API's choice is UNCERTAIN, and 404 is
 * what TF's `IsNotFound` and CTL's 404-tolerant cleanup expect for ids a key cannot see.
 */
export function dispatch(
  match: RouteMatch,
  ctx: Omit<RouteContext, 'params' | 'body'>,
  rawBody: string,
): RouteOutcome {
  for (const [name, value] of Object.entries(match.params)) {
    if (!isUuid(value)) throw badRequest(`Invalid ${name} '${value}': must be a UUID`);
  }
  const organizationId = match.params.organizationId;
  if (organizationId !== undefined && organizationId !== ctx.state.organization.id) {
    throw notFound(`Organization ${organizationId} not found`);
  }
  let body: unknown;
  if (match.route.takesBody) {
    if (rawBody.trim() === '') throw badRequest('Request body is required (application/json)');
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw badRequest('Request body is not valid JSON');
    }
  }
  return match.route.handle({ ...ctx, params: match.params, body });
}
