import { ApiObject, type App, Chart, DependencyGraph } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { type JSONObject } from '../util/json.js';
import { type Location } from '../util/location.js';
import { type SourcedObject, objectFromData } from '../resources/source.js';

/** An App (every chart) or one Chart (with the charts nested in it). */
export type Synthesisable = App | Chart;

/**
 * The objects `cdk8s synth` writes (Lazy values produced, JSON patches
 * applied, in its order), each located at the construct path of the resource
 * that made it: what a person can find in their code. cdk8s's validations are
 * not run here, so that an object the API server would refuse is reported
 * with the others rather than stopping the analysis.
 */
export function synthesisedObjects(scope: Synthesisable): SourcedObject[] {
  if (!Chart.isChart(scope) && !('charts' in scope)) {
    throw new Error(`analyse() takes a cdk8s App or Chart; '${(scope as IConstruct).node.path}' is neither`);
  }
  const charts = Chart.isChart(scope) ? scope.node.findAll().filter((c): c is Chart => Chart.isChart(c)) : scope.charts;
  return charts.flatMap((chart) =>
    new DependencyGraph(chart.node)
      .topology()
      .filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart)
      .map((o) => objectFromData(o.toJson() as JSONObject, locationOf(o))),
  );
}

/** A resource's object is its child `Resource`; the resource is what the user made and named. */
const locationOf = (o: ApiObject): Location => {
  const owner = o.node.id === 'Resource' && o.node.scope ? o.node.scope : o;
  return { file: owner.node.path, line: 0 };
};
