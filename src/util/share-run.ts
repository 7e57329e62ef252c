/**
 * One run of `start` per key at a time: callers that ask while a run is under way share its promise, and
 * once it settles, either way, the next caller starts afresh (a failure is not remembered).
 */
export function shareRun<K, V>(running: Map<K, Promise<V>>, key: K, start: () => Promise<V>): Promise<V> {
  const current = running.get(key);
  if (current !== undefined) return current;
  const run = start();
  running.set(key, run);
  const settle = () => {
    if (running.get(key) === run) running.delete(key);
  };
  run.then(settle, settle);
  return run;
}
