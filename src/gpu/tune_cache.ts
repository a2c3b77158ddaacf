/**
 * Where tuning remembers its choices: one record of `shape class → variant` per slope version
 * and adapter (the adapter's description names its driver: Mesa and LLVM versions, a GPU
 * driver's version), so that a new slope, another adapter or a driver update measures again.
 * Node keeps a JSON file in the user's cache directory (src/gpu/tune_cache_node.ts); browsers
 * keep IndexedDB; memoryTuneCache() lasts as long as the engine.
 */

/** The slope version the choices were measured with (kept equal to package.json's by a test). */
export const SLOPE_VERSION = '0.1.0';

export interface TuneCache {
  /** The choices stored under `key` (empty when none). */
  load(key: string): Promise<Record<string, string>>;
  /** Add choices under `key`, keeping the others stored there. */
  save(key: string, choices: Record<string, string>): Promise<void>;
}

/**
 * Raised when a tuned family's candidates or the way they are measured change, so that choices
 * made the old way are measured again.
 */
export const TUNE_REVISION = 4;

/** The record's key for an adapter. */
export function tuneKey(adapter: string): string {
  return `slope ${SLOPE_VERSION} r${TUNE_REVISION} | ${adapter}`;
}

export function memoryTuneCache(): TuneCache {
  const m = new Map<string, Record<string, string>>();
  return {
    load: async (k) => ({ ...m.get(k) }),
    save: async (k, c) => void m.set(k, { ...m.get(k), ...c }),
  };
}

/** A cache in this browser's IndexedDB (database 'slope', store 'tuning'), or null where there is none. */
export function indexedDbTuneCache(): TuneCache | null {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) return null;
  const req = <T>(r: IDBRequest<T>) => new Promise<T>((ok, fail) => { r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error); });
  let db: Promise<IDBDatabase> | null = null;
  const open = () => (db ??= (() => {
    const r = idb.open('slope', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('tuning');
    return req(r);
  })());
  const store = async (mode: IDBTransactionMode) => (await open()).transaction('tuning', mode).objectStore('tuning');
  const load = async (k: string) => ((await req((await store('readonly')).get(k))) as Record<string,
    string> | undefined) ?? {};
  return {
    // A browser that refuses storage (private mode, quotas) only loses the memory of the choices.
    load: (k) => load(k).catch(() => ({})),
    save: async (k, c) => {
      try {
        const old = await load(k);
        await req((await store('readwrite')).put({ ...old, ...c }, k));
      } catch { /* as above */ }
    },
  };
}
