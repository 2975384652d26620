import assert from 'node:assert/strict';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { type JSONObject } from '../../util/json.js';
import { objectFromData } from '../../resources/source.js';
import { validateObjects } from '../../validate/validate.js';
import * as netpol from '../index.js';

/** Either library: the tests drive both through the names they share. */
export type Library = typeof netpol | typeof kplus;

/** Objects as a YAML reader would see them, keys sorted, so that two syntheses compare byte for byte. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** The objects of every chart, as `cdk8s synth` writes them. */
export const objectsOf = (app: App): JSONObject[] => app.charts.flatMap((c) => c.toJson() as JSONObject[]);

export const byKind = (objects: readonly JSONObject[], kind: string): JSONObject[] =>
  objects.filter((o) => o['kind'] === kind);

/**
 * Runs a program in a fresh app with one chart `chartId`, returning its objects or what it threw. Programs take
 * the library untyped: the two libraries' classes have private members, so TypeScript keeps their types apart.
 */
export function synth(
  library: Library,
  program: (lib: any, chart: Chart) => void,
  chartId = 'test',
): { objects: JSONObject[] } | { error: string } {
  const app = new App();
  const chart = new Chart(app, chartId);
  try {
    program(library, chart);
    return { objects: objectsOf(app) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Asserts netpol's synthesis is cdk8s-plus-33's, byte for byte after sorting keys, and valid. */
export function assertSameAsCdk8sPlus(program: (lib: any, chart: Chart) => void, chartId = 'test'): JSONObject[] {
  const ours = synth(netpol, program, chartId);
  const theirs = synth(kplus, program, chartId);
  assert.equal(JSON.stringify(canonical(ours), null, 1), JSON.stringify(canonical(theirs), null, 1));
  if ('error' in ours) throw new Error(`both libraries threw: ${ours.error}`);
  assertValid(ours.objects);
  return ours.objects;
}

/** Every object passes `netpol validate`: the API server would take it. */
export function assertValid(objects: readonly JSONObject[]): void {
  const diagnostics = validateObjects(objects.map((o) => objectFromData(o)));
  assert.deepEqual(
    diagnostics.map((d) => `${d.object.kind} ${d.object.name}: ${d.message}`),
    [],
  );
}
