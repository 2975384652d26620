import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isProtocol, type Protocol } from '../../src/algebra/connset.js';
import { loadPaths } from '../../src/load/load.js';
import { type JSONObject } from '../../src/util/json.js';
import { type SourcedObject, objectFromData } from '../../src/resources/source.js';
import { requireConformanceDir } from './conformance.js';

/**
 * The cluster-wide policy suites (`anp-banp/`, `cnp/`), read in place. Each step lists every policy object that
 * exists while its probes run (`apply`), and every model object that differs from model.yaml (`modelOverrides`).
 */
export type TierSuite = 'anp-banp' | 'cnp';

export interface TierProbe {
  readonly from: string;
  readonly to: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly expect: 'allow' | 'deny';
}

export interface TierStep {
  readonly note: string;
  readonly part?: string;
  readonly apply: JSONObject[];
  readonly modelOverrides?: JSONObject[];
  readonly probes: TierProbe[];
}

export interface TierCase {
  readonly file: string;
  readonly name: string;
  readonly steps: TierStep[];
}

export function readTierCases(suite: TierSuite): TierCase[] {
  const dir = requireConformanceDir(suite);
  return readdirSync(dir)
    .filter((f) => /^\d+-.*\.yaml$/.test(f))
    .sort()
    .map((file) => {
      const data = parse(readFileSync(join(dir, file), 'utf8')) as { name: string; steps: TierStep[] };
      for (const step of data.steps) {
        for (const probe of step.probes) {
          if (!isProtocol(probe.protocol)) throw new Error(`${file}: bad protocol ${probe.protocol}`);
          if (probe.expect !== 'allow' && probe.expect !== 'deny') throw new Error(`${file}: bad expect`);
        }
      }
      return { file, name: data.name, steps: data.steps };
    });
}

/** The model's objects, with the step's overrides in place of the objects of the same kind and name. */
export function stepObjects(suite: TierSuite, step: TierStep, file: string): SourcedObject[] {
  const model = loadPaths([join(requireConformanceDir(suite), 'model.yaml')]);
  if (model.problems.length > 0) throw new Error(model.problems.map((p) => p.message).join('\n'));
  const key = (kind: string, name: string): string => `${kind}/${name}`;
  const overrides = new Map(
    (step.modelOverrides ?? []).map((raw) => {
      const o = objectFromData(raw, { file, line: 0 });
      return [key(o.kind, o.name), o] as const;
    }),
  );
  const objects = model.objects.map((o) => overrides.get(key(o.kind, o.name)) ?? o);
  return [...objects, ...step.apply.map((raw) => objectFromData(raw, { file, line: 0 }))];
}
