import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isProtocol, type Protocol } from '../../src/algebra/connset.js';
import { loadPaths } from '../../src/load/load.js';
import { ObjectStore, type ObjectRef, type Relabel } from '../../src/model/store.js';
import { type JSONObject } from '../../src/util/json.js';
import { objectFromData } from '../../src/resources/source.js';

/** The shared conformance data, read in place: the project sits beside `shared/`. */
export const CONFORMANCE_DIR = fileURLToPath(new URL('../../../shared/conformance/', import.meta.url));

export interface Probe {
  readonly port: number;
  readonly protocol: Protocol;
  readonly expect: string;
}

export interface Step {
  readonly note?: string;
  readonly apply?: JSONObject[];
  readonly delete?: ObjectRef[];
  readonly relabel?: Relabel[];
  readonly probes: Probe[];
}

export interface ConformanceCase {
  readonly file: string;
  readonly name: string;
  readonly steps: Step[];
}

export function requireConformanceDir(suite: string): string {
  const dir = join(CONFORMANCE_DIR, suite);
  if (!existsSync(dir)) {
    throw new Error(`conformance data not found at ${dir}: clone the project beside ../shared (see README)`);
  }
  return dir;
}

export function readCases(suite: string): ConformanceCase[] {
  const dir = requireConformanceDir(suite);
  return readdirSync(dir)
    .filter((f) => /^\d+-.*\.yaml$/.test(f))
    .sort()
    .map((file) => {
      const data = parse(readFileSync(join(dir, file), 'utf8')) as { name: string; steps: Step[] };
      for (const step of data.steps) {
        for (const probe of step.probes)
          if (!isProtocol(probe.protocol)) throw new Error(`${file}: bad protocol ${probe.protocol}`);
      }
      return { file, name: data.name, steps: data.steps };
    });
}

export function loadModel(suite: string): ObjectStore {
  const result = loadPaths([join(requireConformanceDir(suite), 'model.yaml')]);
  if (result.problems.length > 0) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return ObjectStore.of(result.objects);
}

/** Applies one step's changes, in the order the data format defines: apply, delete, relabel. */
export function applyStep(store: ObjectStore, step: Step, file: string): ObjectStore {
  const applied = (step.apply ?? []).map((raw) => objectFromData(raw, { file, line: 0 }));
  return store
    .apply(applied)
    .delete(step.delete ?? [])
    .relabel(step.relabel ?? []);
}
