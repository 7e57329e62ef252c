import { randomUUID } from 'node:crypto';
import { isUuid } from './ids.js';
import type { EmulatedService } from './types.js';

/** The spec's `Service.state` values. */
export const SERVICE_STATES = [
  'starting',
  'stopping',
  'terminating',
  'softdeleting',
  'awaking',
  'partially_running',
  'provisioning',
  'running',
  'stopped',
  'terminated',
  'softdeleted',
  'degraded',
  'failed',
  'idle',
] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** What a test gives to seed a service "made in the console". */
export interface NewService {
  name: string;
  id?: string;
  provider?: EmulatedService['provider'];
  region?: string;
  state?: ServiceState;
}

/** Spec: "Alphanumerical string with whitespaces up to 50 characters." */
export function checkServiceName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9 _-]{0,49}$/.test(name)) {
    throw new Error(`service name ${JSON.stringify(name)}: 1–50 letters, digits, spaces, _ or -`);
  }
  return name;
}

/** A service with the shape a running, vertically autoscaled production service shows. */
export function makeService(input: NewService, createdAt: string): EmulatedService {
  const id = input.id ?? randomUUID();
  if (!isUuid(id)) throw new Error(`service id must be a UUID, got ${id}`);
  const provider = input.provider ?? 'aws';
  const region = input.region ?? 'us-east-1';
  const host = `${id.slice(0, 8)}.${region}.${provider}.clickhouse.cloud`;
  return {
    id,
    name: checkServiceName(input.name),
    provider,
    region,
    state: input.state ?? 'running',
    clickhouseVersion: '25.8.1.8702',
    endpoints: [
      { protocol: 'https', host, port: 8443 },
      { protocol: 'nativesecure', host, port: 9440 },
    ],
    minReplicaMemoryGb: 8,
    maxReplicaMemoryGb: 120,
    numReplicas: 3,
    autoscalingMode: 'vertical',
    idleScaling: true,
    idleTimeoutMinutes: 15,
    ipAccessList: [{ source: '0.0.0.0/0', description: 'Anywhere' }],
    createdAt,
    isPrimary: true,
    isReadonly: false,
    releaseChannel: 'default',
    tags: [],
    currentScaling: {
      effectiveAutoscalingMode: 'vertical',
      effectiveMinReplicaMemoryGb: 8,
      effectiveMaxReplicaMemoryGb: 120,
      effectiveMinReplicas: 3,
      effectiveMaxReplicas: 3,
      effectiveIdleScaling: true,
      effectiveIdleTimeoutMinutes: 15,
    },
  };
}
