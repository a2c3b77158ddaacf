/**
 * What the browser suite runs and reports, shared by the page (web/suite.ts) and the Node test
 * that collects the results (test/browser/suite.test.ts). No DOM here.
 */
import { allCases, casesOf, VARIANTS } from '../test/cases/index.js';

export interface CaseResult {
  family: string;
  /** Kernel variant forced for the case ('default': the engine's choice; '' for training runs). */
  variant: string;
  name: string;
  /** Not run: the adapter lacks what the variant needs (reported, as in the Node suite). */
  skipped?: boolean;
  ok: boolean;
  ms: number;
  error?: string;
  note?: string;
}

export interface SuiteState {
  adapter: string;
  results: CaseResult[];
  done: boolean;
  /** Set when the suite could not start at all (no WebGPU). */
  fatal?: string;
  ms?: number;
}

declare global {
  interface Window {
    __suite: SuiteState;
  }
}

/** "family [variant]: name", the label of a result everywhere. */
export function label(r: Pick<CaseResult, 'family' | 'variant' | 'name'>): string {
  return `${r.family}${r.variant ? ` [${r.variant}]` : ''}: ${r.name}`;
}

/** The families of the case table, in table order. */
export const families = (): string[] => [...new Set(allCases.map((c) => c.family))];

/** The name of a short training run's result. */
export const trainingName = (spec: string): string => `${spec}: per-step loss, webgpu vs cpu`;

/** What the Node side expects to run: every case of every family under each of its variants. */
export function expectedLabels(): string[] {
  return families().flatMap((family) => (VARIANTS[family] ?? ['default'])
    .flatMap((variant) => casesOf(family).map((c) => label({ family, variant, name: c.name }))));
}

