import { type Diagnostic, validateObjects } from '../validate/validate.js';
import { type Cluster, buildCluster } from '../policy/cluster.js';
import { type LoadOptions, type LoadProblem, type LoadResult, loadPaths } from '../load/load.js';
import type { SourcedObject } from '../resources/source.js';
import { plural } from '../util/plural.js';

/** Everything read from the user's paths, and everything wrong with it. */
export interface Inputs {
  readonly load: LoadResult;
  readonly diagnostics: readonly Diagnostic[];
}

export function readInputs(paths: readonly string[], options: LoadOptions = {}): Inputs {
  const load = loadPaths(paths, options);
  return { load, diagnostics: validateObjects(load.objects) };
}

export const inputsAreValid = (inputs: Inputs): boolean =>
  inputs.load.problems.length === 0 && inputs.diagnostics.length === 0;

/** The objects without a validation problem: what `--skip-invalid` analyses. */
export function validObjects(inputs: Inputs): SourcedObject[] {
  const invalid = new Set(inputs.diagnostics.map((d) => d.object));
  return inputs.load.objects.filter((o) => !invalid.has(o));
}

/** Thrown when analysis is asked of input that does not load or validate: netpol never guesses. */
export class InvalidInputError extends Error {
  constructor(
    readonly problems: readonly LoadProblem[],
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super(`${plural(problems.length + diagnostics.length, 'problem')} in the input`);
  }
}

/** Loads, validates and builds the cluster; refuses invalid input with the validation messages. */
export function loadCluster(paths: readonly string[], options: LoadOptions = {}): { cluster: Cluster; inputs: Inputs } {
  const inputs = readInputs(paths, options);
  if (!inputsAreValid(inputs)) throw new InvalidInputError(inputs.load.problems, inputs.diagnostics);
  return { cluster: buildCluster(inputs.load.objects), inputs };
}
