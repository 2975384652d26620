import { ApiObject, type ApiObjectMetadata, ApiObjectMetadataDefinition, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { atSynth } from './synth-token.js';
import { PodConnections } from './connections.js';
import { ABSTRACT_POD_PROPS, ADDRESS_LABEL, AbstractPod, type AbstractPodProps } from './pods.js';
import { type KubeLabelSelectorRequirement, LabelSelector } from './selectors.js';
import { rejectUnsupported } from './unsupported.js';

export interface WorkloadProps extends AbstractPodProps {
  /** Labels and annotations of the pods. */
  readonly podMetadata?: ApiObjectMetadata;
  /** Select the pods by the address label (default true). */
  readonly select?: boolean;
}

const WORKLOAD_PROPS = [...ABSTRACT_POD_PROPS, 'podMetadata', 'select'] as const;

/** A workload: its pod template is what policies select, through the address label. */
export abstract class Workload extends AbstractPod {
  readonly connections: PodConnections;
  private readonly _matchLabels: Record<string, string> = {};
  private readonly _matchExpressions: KubeLabelSelectorRequirement[] = [];
  private _podMetadata?: ApiObjectMetadataDefinition;
  private readonly matcher: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: WorkloadProps,
  ) {
    super(scope, id, props);
    this.connections = new PodConnections(this);
    this.matcher = Names.toLabelValue(this);
    if (props.select ?? true) this.select(LabelSelector.of({ labels: { [ADDRESS_LABEL]: this.matcher } }));
  }

  /** The metadata of the pods, carrying the address label. */
  get podMetadata(): ApiObjectMetadataDefinition {
    if (this._podMetadata === undefined) {
      this._podMetadata = new ApiObjectMetadataDefinition({ ...this.props.podMetadata, apiObject: this.apiObject });
      this._podMetadata.addLabel(ADDRESS_LABEL, this.matcher);
    }
    return this._podMetadata;
  }

  /** Adds requirements to the workload's own pod selector. */
  select(...selectors: LabelSelector[]): void {
    for (const selector of selectors) {
      const kube = selector._toKube();
      this._matchExpressions.push(...(kube.matchExpressions ?? []));
      Object.assign(this._matchLabels, kube.matchLabels ?? {});
    }
  }

  get matchLabels(): Record<string, string> {
    return { ...this._matchLabels };
  }

  get matchExpressions(): KubeLabelSelectorRequirement[] {
    return [...this._matchExpressions];
  }

  protected template(restartPolicy: 'Always' | 'Never'): object {
    return { metadata: this.podMetadata.toJson(), spec: this.podSpec(restartPolicy) };
  }

  protected labelSelector(): object {
    return {
      matchExpressions: this._matchExpressions.length > 0 ? this._matchExpressions : undefined,
      matchLabels: Object.keys(this._matchLabels).length > 0 ? this._matchLabels : undefined,
    };
  }

  /** cdk8s-plus creates the isolating policy last, after the workload's own object. */
  protected finish(kind: string, props: object, supported: readonly string[]): void {
    rejectUnsupported(kind, props, supported);
    if (this.isolate) this.connections.isolate();
  }
}

export interface DeploymentProps extends WorkloadProps {
  /** Default 2, as in cdk8s-plus. */
  readonly replicas?: number;
}

export class Deployment extends Workload {
  protected readonly apiObject: ApiObject;
  readonly resourceType = 'deployments';
  readonly replicas?: number;

  constructor(scope: Construct, id: string, props: DeploymentProps = {}) {
    super(scope, id, props);
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: props.metadata,
      spec: atSynth(() => ({
        replicas: this.replicas ?? 2,
        minReadySeconds: 0,
        progressDeadlineSeconds: 600,
        template: this.template('Always'),
        selector: this.labelSelector(),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        revisionHistoryLimit: 10,
      })),
    });
    this.replicas = props.replicas;
    this.finish('Deployment', props, [...WORKLOAD_PROPS, 'replicas']);
  }
}

export interface StatefulSetProps extends WorkloadProps {
  /** Default 1, as in cdk8s-plus. */
  readonly replicas?: number;
}

/** A StatefulSet with its headless Service, as cdk8s-plus makes it (which needs a container port). */
export class StatefulSet extends Workload {
  protected readonly apiObject: ApiObject;
  readonly resourceType = 'statefulsets';
  readonly replicas?: number;
  private readonly service: HeadlessService;

  constructor(scope: Construct, id: string, props: StatefulSetProps) {
    super(scope, id, props);
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: props.metadata,
      spec: atSynth(() => ({
        replicas: this.replicas ?? 1,
        serviceName: this.service.name,
        minReadySeconds: 0,
        template: this.template('Always'),
        selector: this.labelSelector(),
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      })),
    });
    this.service = new HeadlessService(this, this.metadata.namespace);
    this.apiObject.addDependency(this.service);
    this.replicas = props.replicas;
    this.finish('StatefulSet', props, [...WORKLOAD_PROPS, 'replicas']);
  }
}

/** The governing Service a StatefulSet needs: no cluster IP, the containers' ports, the pods' address label. */
class HeadlessService extends Construct {
  private readonly apiObject: ApiObject;

  constructor(workload: StatefulSet, namespace: string | undefined) {
    super(workload, 'Service');
    const ports = workload.containers.flatMap((c) => c.ports);
    if (ports.length === 0) {
      throw new Error(
        `Unable to create a service for the stateful set ${workload.name}: StatefulSet ports cannot be determined.`,
      );
    }
    const selector = workload.toPodSelectorConfig().labelSelector._toKube().matchLabels ?? {};
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace },
      spec: {
        clusterIP: 'None',
        externalIPs: [],
        type: 'ClusterIP',
        selector: { ...selector },
        ports: ports.map((p) => ({ name: p.name, port: p.number, targetPort: p.number, protocol: p.protocol })),
      },
    });
  }

  get name(): string {
    return this.apiObject.name;
  }
}

export type DaemonSetProps = WorkloadProps;

export class DaemonSet extends Workload {
  protected readonly apiObject: ApiObject;
  readonly resourceType = 'daemonsets';

  constructor(scope: Construct, id: string, props: DaemonSetProps = {}) {
    super(scope, id, props);
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: props.metadata,
      spec: atSynth(() => ({ minReadySeconds: 0, template: this.template('Always'), selector: this.labelSelector() })),
    });
    this.finish('DaemonSet', props, WORKLOAD_PROPS);
  }
}

export type JobProps = WorkloadProps;

/** A Job: its pods never restart, and it leaves the pod selector to the API server, as in cdk8s-plus. */
export class Job extends Workload {
  protected readonly apiObject: ApiObject;
  readonly resourceType = 'jobs';

  constructor(scope: Construct, id: string, props: JobProps = {}) {
    super(scope, id, { select: false, ...props });
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: props.metadata,
      spec: atSynth(() => ({ template: this.template('Never') })),
    });
    this.finish('Job', props, WORKLOAD_PROPS);
  }
}
