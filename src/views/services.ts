/**
 * Keys scoped to some services (product.md §16): the request modal's choice of services, and the
 * line that names a key's or a request's services wherever it is shown (the approval message,
 * lists, App Home, review), with a service deleted or renamed in the console shown as such.
 */
import type { KnownBlock, PlainTextOption } from '@slack/types';
import { z } from 'zod';
import type { Service } from '../core/clickhouse.js';
import type { Problem, Refusal } from '../core/outcomes.js';
import type { ServiceAccess } from '../core/service-access.js';
import { type ChosenService, type ServiceStatus, serviceStatuses } from '../core/service-scope.js';
import type { Messages } from '../i18n/index.js';
import { fitText, LIMIT, md, plain } from './format.js';
import { ACTION, BLOCK } from './ids.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** A multi_static_select holds at most 100 options. */
const MAX_OPTIONS = 100;

/** What the request modal offers for a role scoped to services. */
export type ServiceOffer =
  | {
      kind: 'offered';
      access: ServiceAccess;
      services: readonly Pick<Service, 'id' | 'name'>[];
      chosen?: readonly string[];
    }
  | { kind: 'unavailable' };

const ACCESS_WORD: Record<
  ServiceAccess,
  'services.accessRead' | 'services.accessManage' | 'services.accessQueryEndpoints'
> = {
  read: 'services.accessRead',
  manage: 'services.accessManage',
  'query-endpoints': 'services.accessQueryEndpoints',
};

export function accessText(m: Messages, access: ServiceAccess): string {
  return m.t(ACCESS_WORD[access]);
}

/** The modal's Services field: a multi-select of the services the role's patterns match. */
export function serviceBlocks(m: Messages, offer: ServiceOffer | null): KnownBlock[] {
  if (!offer) return [];
  if (offer.kind === 'unavailable') {
    return [{ type: 'context', block_id: BLOCK.services, elements: [md(m.t('services.unavailable'))] }];
  }
  if (offer.services.length === 0) {
    return [{ type: 'context', block_id: BLOCK.services, elements: [md(m.t('services.noneMatch'))] }];
  }
  const options: PlainTextOption[] = offer.services.slice(0, MAX_OPTIONS).map((service) => ({
    text: plain(service.name, LIMIT.optionText),
    value: service.id,
  }));
  const initial = options.filter((o) => offer.chosen?.includes(o.value ?? ''));
  return [
    {
      type: 'input',
      block_id: BLOCK.services,
      label: plain(m.t('services.label'), LIMIT.hint),
      hint: plain(m.t('services.hint', { access: accessText(m, offer.access) }), LIMIT.hint),
      element: {
        type: 'multi_static_select',
        action_id: ACTION.servicesSelect,
        placeholder: plain(m.t('services.placeholder'), LIMIT.placeholder),
        options,
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    },
  ];
}

const chosenState = z.object({
  selected_options: z.array(z.object({ value: z.string().max(LIMIT.optionValue) })).max(MAX_OPTIONS),
});

/** The service ids chosen in a modal's state, untrusted (the gate checks them); [] when absent. */
export function readServiceChoice(state: Record<string, Record<string, unknown>>): string[] {
  const parsed = chosenState.safeParse(state[BLOCK.services]?.[ACTION.servicesSelect]);
  return parsed.success ? parsed.data.selected_options.map((o) => o.value) : [];
}

function statusText(m: Messages, status: ServiceStatus): string {
  switch (status.kind) {
    case 'present':
      return escapeMrkdwn(status.name);
    case 'renamed':
      return m.t('services.renamed', { name: escapeMrkdwn(status.name), was: escapeMrkdwn(status.was) });
    case 'deleted':
      return m.t('services.deleted', { was: escapeMrkdwn(status.was) });
  }
}

/**
 * `*Services* (read): analytics, prod-eu (renamed from prod-1)`. `current` is the console's
 * service list now; null when it could not be read (the names as chosen are shown).
 */
export function servicesLine(
  m: Messages,
  access: ServiceAccess,
  chosen: readonly ChosenService[],
  current: readonly Pick<Service, 'id' | 'name'>[] | null,
): string {
  const statuses: ServiceStatus[] = current
    ? serviceStatuses(chosen, current)
    : chosen.map((s) => ({ kind: 'present', name: s.name }));
  const names = statuses.map((status) => statusText(m, status)).join(', ');
  return fitText(m.t('services.line', { access: accessText(m, access), services: names }), LIMIT.field);
}

/** Field problems of the Services field. */
export function serviceProblemText(
  m: Messages,
  problem: Extract<Problem, { code: 'services_none' | 'service_not_offered' }>,
): string {
  return problem.code === 'services_none' ? m.t('services.none') : m.t('services.notOffered');
}

/** Refusals about the custom role behind a service-scoped key. */
export function serviceRefusalText(
  m: Messages,
  refusal: Extract<Refusal, { code: 'service_role_busy' | 'service_role_conflict' }>,
): string {
  return refusal.code === 'service_role_busy'
    ? m.t('services.busy')
    : m.t('services.conflict', { roleName: escapeMrkdwn(refusal.roleName) });
}
