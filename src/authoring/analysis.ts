import { type Protocol, isProtocol } from '../algebra/connset.js';
import { formatValidation } from '../report/validation.js';
import { workloadConnections } from '../engine/connlist.js';
import { computeConnectivity } from '../engine/connectivity.js';
import { explainVerdict } from '../engine/explain.js';
import { type PeerSpec, UnknownPeerError, makeFlow, resolvePeerSpec } from '../engine/flow.js';
import { type Finding, lint } from '../engine/lint.js';
import { type Verdict, decide } from '../engine/verdict.js';
import { type EngineOptions, defaultEngineOptions } from '../policy/evaluate.js';
import { type Cluster, buildCluster } from '../policy/cluster.js';
import { knownKind } from '../resources/kinds.js';
import { type LoadProblem, loadPaths } from '../load/load.js';
import type { SourcedObject } from '../resources/source.js';
import type { Semantics } from '../policy/legacy.js';
import { type ListFormat, formatConnList } from '../report/connlist.js';
import { type LintFormat, formatFindings } from '../report/lint.js';
import { type Diagnostic, validateObjects } from '../validate/validate.js';
import type { NetworkProtocol } from './ports.js';
import { type Selection, selectedEndpoints } from './selection.js';
import { type Synthesisable, synthesisedObjects } from './synthesised-objects.js';

export interface AnalyseOptions {
  /**
   * Manifests of what the app is deployed beside (kube-dns, namespaces and
   * workloads it does not manage): files, directories, as `netpol` reads them.
   */
  readonly include?: readonly string[];
  /** `v1` (default) or `legacy`, as `--semantics`. */
  readonly semantics?: Semantics;
  /** The switches of `--no-ipblock-pod-ips` and `--no-local-node-egress`. */
  readonly engine?: EngineOptions;
}

/** One end of a flow: a managed pod or workload, a selection of pods, or `namespace/name` or an IP address. */
export type FlowEnd = Selection | string;

/** `'TCP'`, or `NetworkProtocol.TCP`. */
export type FlowProtocol = Protocol | NetworkProtocol;

export interface CheckResult {
  /** True when every flow asked about is allowed (a selection can stand for several pods). */
  readonly allowed: boolean;
  /** What `netpol check` prints, for each flow. */
  readonly explanation: string;
  readonly verdicts: readonly Verdict[];
}

/** Thrown by `expectAllowed`/`expectDenied`; the message is the explanation of the flows that went the other way. */
export class ConnectivityExpectationError extends Error {
  override readonly name = 'ConnectivityExpectationError';
  constructor(
    message: string,
    readonly result: CheckResult,
  ) {
    super(message);
  }
}

/** Thrown when analysis is asked of objects the API server would refuse: netpol never guesses. */
export class InvalidChartError extends Error {
  override readonly name = 'InvalidChartError';
}

/** Synthesises an App or a Chart and analyses its objects with netpol's engine, as the CLI would analyse the YAML. */
export function analyse(scope: Synthesisable, options: AnalyseOptions = {}): Analysis {
  return new Analysis(scope, options);
}

export class Analysis {
  /** The objects netpol reads. */
  readonly objects: readonly SourcedObject[];
  /** How many objects are of kinds netpol does not read (a StatefulSet's Service, ...). */
  readonly skipped: number;
  /** Files of `include` that could not be read. */
  readonly problems: readonly LoadProblem[];
  /** What the API server would refuse, with its messages. */
  readonly diagnostics: readonly Diagnostic[];
  private readonly engine: EngineOptions;
  private readonly semantics: Semantics | undefined;
  private builtCluster?: Cluster;

  constructor(scope: Synthesisable, options: AnalyseOptions = {}) {
    const included = loadPaths(options.include ?? []);
    const synthesised = synthesisedObjects(scope);
    const known = (o: SourcedObject): boolean => knownKind(o.apiVersion, o.kind) !== undefined;
    this.objects = [...synthesised.filter(known), ...included.objects];
    this.skipped = synthesised.filter((o) => !known(o)).length + included.skipped.length;
    this.problems = [...included.problems];
    this.diagnostics = validateObjects(this.objects);
    this.engine = options.engine ?? defaultEngineOptions;
    this.semantics = options.semantics;
  }

  get valid(): boolean {
    return this.problems.length === 0 && this.diagnostics.length === 0;
  }

  /** What `netpol validate` prints: each problem with the construct path (or file:line), then a summary. */
  validate(): string {
    return formatValidation({
      problems: this.problems,
      diagnostics: this.diagnostics,
      objects: this.objects.length,
      skipped: this.skipped,
    });
  }

  /** The cluster the objects make; refused, with the validation report, when any object is invalid. */
  get cluster(): Cluster {
    if (!this.valid) throw new InvalidChartError(`refusing to analyse invalid objects:\n${this.validate()}`);
    this.builtCluster ??= buildCluster(this.objects, { semantics: this.semantics });
    return this.builtCluster;
  }

  /** Decides the flows from `from` to `to` on one port, as `netpol check` does. */
  check(from: FlowEnd, to: FlowEnd, port: number, protocol: FlowProtocol = 'TCP'): CheckResult {
    if (!isProtocol(protocol)) throw new Error(`the protocol is TCP, UDP or SCTP, not ${JSON.stringify(protocol)}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`a port is a number from 1 to 65535`);
    const sources = this.ends(from);
    const destinations = this.ends(to);
    const verdicts = sources.flatMap((src) =>
      destinations.map((dst) => decide(this.cluster, makeFlow(src, dst, protocol, port), this.engine)),
    );
    return {
      allowed: verdicts.every((v) => v.allowed),
      explanation: verdicts.map(explainVerdict).join(''),
      verdicts,
    };
  }

  /** Throws, with the explanation, unless every flow from `from` to `to` is allowed. */
  expectAllowed(from: FlowEnd, to: FlowEnd, port: number, protocol?: FlowProtocol): CheckResult {
    return this.expect(true, from, to, port, protocol);
  }

  /** Throws, with the explanation, unless every flow from `from` to `to` is denied. */
  expectDenied(from: FlowEnd, to: FlowEnd, port: number, protocol?: FlowProtocol): CheckResult {
    return this.expect(false, from, to, port, protocol);
  }

  /** What `netpol list -o FORMAT` prints. */
  list(format: ListFormat = 'txt'): string {
    const connectivity = computeConnectivity(this.cluster, { engine: this.engine });
    return formatConnList(workloadConnections(connectivity), format);
  }

  findings(): Finding[] {
    return lint(this.cluster, this.engine);
  }

  /** What `netpol lint -o FORMAT` prints. */
  lint(format: LintFormat = 'txt'): string {
    return formatFindings(this.findings(), format);
  }

  private expect(
    allowed: boolean,
    from: FlowEnd,
    to: FlowEnd,
    port: number,
    protocol: FlowProtocol = 'TCP',
  ): CheckResult {
    const result = this.check(from, to, port, protocol);
    const wrong = result.verdicts.filter((v) => v.allowed !== allowed);
    if (wrong.length > 0) {
      const expected =
        `expected ${describeEnd(from)} => ${describeEnd(to)} on ${protocol} ${port} ` +
        `to be ${allowed ? 'allowed' : 'denied'}`;
      throw new ConnectivityExpectationError(`${expected}, but:\n${wrong.map(explainVerdict).join('')}`, result);
    }
    return result;
  }

  private ends(end: FlowEnd): PeerSpec[] {
    if (typeof end === 'string') {
      try {
        return [resolvePeerSpec(this.cluster, end)];
      } catch (error) {
        if (error instanceof UnknownPeerError) throw new Error(error.message);
        throw error;
      }
    }
    const endpoints = selectedEndpoints(this.cluster, end);
    if (endpoints.length === 0) throw new Error(`'${end.node.path}' selects no pod among the analysed objects`);
    return endpoints.map((endpoint) => ({ endpoint }));
  }
}

const describeEnd = (end: FlowEnd): string => (typeof end === 'string' ? end : end.node.path);

/** `analyse(app).expectAllowed(...)` for the app that `from` or `to` belongs to. */
export function expectAllowed(from: FlowEnd, to: FlowEnd, port: number, protocol?: FlowProtocol): CheckResult {
  return analyseAppOf(from, to).expectAllowed(from, to, port, protocol);
}

/** `analyse(app).expectDenied(...)` for the app that `from` or `to` belongs to. */
export function expectDenied(from: FlowEnd, to: FlowEnd, port: number, protocol?: FlowProtocol): CheckResult {
  return analyseAppOf(from, to).expectDenied(from, to, port, protocol);
}

function analyseAppOf(from: FlowEnd, to: FlowEnd): Analysis {
  const construct = typeof from !== 'string' ? from : typeof to !== 'string' ? to : undefined;
  if (construct === undefined) throw new Error('expectAllowed/expectDenied: one end must be a construct of the app');
  return analyse(construct.node.root as Synthesisable);
}
