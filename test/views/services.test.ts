/**
 * The services a key or a request reaches (product.md §16), where people meet them: the approval
 * message, and each key in the lists, App Home and review (all through `keySection`).
 */
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/i18n/index.js';
import { approvalMessage } from '../../src/views/approval-message.js';
import { ACTION, BLOCK } from '../../src/views/ids.js';
import { keySection } from '../../src/views/key-list.js';
import { readServiceChoice, serviceBlocks, servicesLine } from '../../src/views/services.js';
import { english } from '../support/words.js';
import { approvalCard, keyEntry, keyRequest, NOW, policyRole } from './fixtures.js';

const PROD = { id: '11111111-1111-4111-8111-111111111111', name: 'prod-eu' };
const ANALYTICS = { id: '22222222-2222-4222-8222-222222222222', name: 'analytics' };
const reader = policyRole({ id: 'reader', label: 'Reader', grant: { services: ['*'], access: 'read' } });
const en = new Catalog().messages({ locale: 'en', timeZone: 'UTC' });
const ko = new Catalog().messages({ locale: 'ko', timeZone: 'Asia/Seoul' });

describe('services in the approval message and the lists', () => {
  it('the approval message names the services, a renamed one with its old name, a deleted one struck', () => {
    const card = approvalCard({
      role: reader,
      request: keyRequest({ roleId: 'reader', services: [ANALYTICS, PROD] }),
      services: [{ ...PROD, name: 'prod-eu-2' }],
    });
    const text = JSON.stringify(approvalMessage(english, card).blocks);
    expect(text).toContain(
      '*Services* (read): ~analytics~ (deleted in the console), prod-eu-2 (renamed from prod-eu)',
    );
  });

  it('a request of another role shows no services line', () => {
    expect(JSON.stringify(approvalMessage(english, approvalCard()).blocks)).not.toContain('*Services*');
  });

  it('a key in a list names its services; a key of another role does not', () => {
    const scoped = keyEntry({
      services: { access: 'query-endpoints', chosen: [PROD], current: [PROD] },
    });
    const text = (section: ReturnType<typeof keySection>) => section.text?.text ?? '';
    expect(text(keySection(english, scoped, { scope: 'mine', page: 0 }, NOW))).toContain(
      '*Services* (Query API Endpoints): prod-eu',
    );
    expect(text(keySection(english, keyEntry(), { scope: 'mine', page: 0 }, NOW))).not.toContain('Services');
  });

  it('speaks Korean to a Korean reader, with the names escaped', () => {
    expect(servicesLine(ko, 'manage', [{ ...PROD, name: 'a<!here>' }], [])).toBe(
      '*서비스* (관리): ~a&lt;!here&gt;~ (콘솔에서 삭제됨)',
    );
  });
});

describe("the request modal's Services field", () => {
  it('offers the matching services, several at once, the chosen ones kept, and reads the choice back', () => {
    const [block] = serviceBlocks(en, {
      kind: 'offered',
      access: 'read',
      services: [ANALYTICS, PROD],
      chosen: [PROD.id],
    });
    expect(block).toMatchObject({
      type: 'input',
      block_id: BLOCK.services,
      element: {
        type: 'multi_static_select',
        action_id: ACTION.servicesSelect,
        options: [
          { text: { text: 'analytics' }, value: ANALYTICS.id },
          { text: { text: 'prod-eu' }, value: PROD.id },
        ],
        initial_options: [{ value: PROD.id }],
      },
    });
    const state = {
      [BLOCK.services]: {
        [ACTION.servicesSelect]: {
          type: 'multi_static_select',
          selected_options: [{ value: PROD.id }, { value: ANALYTICS.id }],
        },
      },
    };
    expect(readServiceChoice(state)).toEqual([PROD.id, ANALYTICS.id]);
    expect(readServiceChoice({})).toEqual([]);
    expect(
      readServiceChoice({ [BLOCK.services]: { [ACTION.servicesSelect]: { selected_options: 'x' } } }),
    ).toEqual([]);
  });

  it('says so when no service matches, or the list could not be read', () => {
    expect(JSON.stringify(serviceBlocks(en, { kind: 'offered', access: 'read', services: [] }))).toContain(
      'No service matches this role now',
    );
    expect(JSON.stringify(serviceBlocks(en, { kind: 'unavailable' }))).toContain(
      'could not read the services',
    );
    expect(serviceBlocks(en, null)).toEqual([]);
  });
});
