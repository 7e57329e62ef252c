import { describe, expect, it } from 'vitest';
import {
  inBackground,
  mayWait,
  refuseWhileNoWait,
  unlessWaiting,
  WOULD_WAIT,
  WouldWait,
  withoutWaiting,
} from '../../src/util/no-wait.js';

class Service {
  readonly calls: string[] = [];
  async read(id: string): Promise<string> {
    this.calls.push(`read ${id}`);
    return `value ${id}`;
  }
  async notify(text: string): Promise<void> {
    this.calls.push(`notify ${text}`);
  }
}

describe('no-wait zones', () => {
  it('tells code inside a zone that it may not wait, and code outside (or in the background) that it may', async () => {
    expect(mayWait()).toBe(true);
    expect(await withoutWaiting(() => mayWait())).toBe(false);
    expect(await withoutWaiting(() => inBackground(() => mayWait()))).toBe(true);
  });

  it('refuses a guarded call inside a zone, and lets it through outside', async () => {
    const service = new Service();
    const guarded = refuseWhileNoWait('Service', service);
    await expect(withoutWaiting(() => guarded.read('a'))).rejects.toBeInstanceOf(WouldWait);
    expect(await unlessWaiting(() => withoutWaiting(() => guarded.read('a')))).toBe(WOULD_WAIT);
    expect(service.calls).toEqual([]);
    expect(await guarded.read('b')).toBe('value b');
    expect(service.calls).toEqual(['read b']);
  });

  it('lets a call answered from memory through, and runs a deferred one after the zone', async () => {
    const service = new Service();
    const failures: string[] = [];
    const guarded = refuseWhileNoWait('Service', service, {
      atHand: (method, args) => method === 'read' && args[0] === 'cached',
      defer: ['notify'],
      onDeferredError: (_error, method) => failures.push(method),
    });
    expect(await withoutWaiting(() => guarded.read('cached'))).toBe('value cached');
    await withoutWaiting(() => guarded.notify('later'));
    await new Promise((r) => setTimeout(r, 0));
    expect(service.calls).toEqual(['read cached', 'notify later']);
    expect(failures).toEqual([]);
  });

  it('passes other errors on', async () => {
    await expect(unlessWaiting(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
