import { ApiObject, App, Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { type JSONObject, type Location, type SourcedObject, isJSONObject, objectFromData } from '../model/source.js';

/** An App (every chart) or one Chart (with the charts nested in it). */
export type Synthesisable = App | Chart;

/**
 * Synthesises the charts as `cdk8s synth` does (dependencies resolved, Lazy
 * values produced, JSON patches applied) and gives each object a location: the
 * construct path of the resource that made it, which is what a person can
 * find in their code.
 */
export function synthesisedObjects(scope: Synthesisable): SourcedObject[] {
  if (!Chart.isChart(scope) && !('charts' in scope)) {
    throw new Error(`analyse() takes a cdk8s App or Chart; '${(scope as IConstruct).node.path}' is neither`);
  }
  const charts = Chart.isChart(scope) ? scope.node.findAll().filter((c): c is Chart => Chart.isChart(c)) : scope.charts;
  return charts.flatMap((chart) => {
    const origins = originsOf(chart);
    return (chart.toJson() as JSONObject[]).map((raw) => objectFromData(raw, origins.get(objectKey(raw)) ?? at(chart)));
  });
}

function originsOf(chart: Chart): Map<string, Location> {
  const origins = new Map<string, Location>();
  for (const c of chart.node.findAll()) {
    if (!ApiObject.isApiObject(c) || Chart.of(c) !== chart) continue;
    const key = keyOf(c.kind, c.metadata.namespace, c.name);
    if (!origins.has(key)) origins.set(key, at(c.node.id === 'Resource' && c.node.scope ? c.node.scope : c));
  }
  return origins;
}

const at = (construct: IConstruct): Location => ({ file: construct.node.path, line: 0 });

const keyOf = (kind: unknown, namespace: unknown, name: unknown): string => JSON.stringify([kind, namespace, name]);

function objectKey(raw: JSONObject): string {
  const metadata = isJSONObject(raw['metadata']) ? raw['metadata'] : {};
  return keyOf(raw['kind'], metadata['namespace'] ?? undefined, metadata['name']);
}
