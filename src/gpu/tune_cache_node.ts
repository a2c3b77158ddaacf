/**
 * The tuning cache in Node: one JSON file, $XDG_CACHE_HOME/slope/tuning.json (or
 * ~/.cache/slope/tuning.json), `{ "<slope version | adapter>": { "<shape class>": "<variant>" } }`.
 * Written whole to a temporary file and renamed, merged with what another process may have
 * written meanwhile; a file that cannot be read or parsed counts as empty, and one that cannot
 * be written only costs measuring again next time. SLOPE_TUNE=0 turns tuning off.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TuneCache } from './tune_cache.js';

export function defaultTuneFile(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'slope', 'tuning.json');
}

function readAll(file: string): Record<string, Record<string, string>> {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Record<string, string>>) : {};
  } catch {
    return {};
  }
}

export function fileTuneCache(file = defaultTuneFile()): TuneCache {
  return {
    load: async (k) => {
      const rec = readAll(file)[k];
      return Object.fromEntries(Object.entries(rec ?? {}).filter(([, v]) => typeof v === 'string'));
    },
    save: async (k, c) => {
      try {
        const all = readAll(file);
        all[k] = { ...all[k], ...c };
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(all, null, 1) + '\n');
        renameSync(tmp, file);
      } catch { /* see the header */ }
    },
  };
}

/** The Node default: the file cache, or null (tuning off) when SLOPE_TUNE=0. */
export function nodeTuneCache(): TuneCache | null {
  return process.env.SLOPE_TUNE === '0' ? null : fileTuneCache();
}
