import { ApiObject, type ApiObjectMetadataDefinition, Names } from 'cdk8s';
import type { Construct } from 'constructs';
import { atSynth } from './synth-token.js';
import { PodConnections } from './connections.js';
import { Container, type ContainerProps } from './containers.js';
import type { INetworkPolicyPeer, NetworkPolicyPeerConfig } from './peers.js';
import { Resource, type ResourceProps } from './resource.js';
import { type IPodSelector, LabelSelector, type PodSelectorConfig } from './selectors.js';
import { rejectUnsupported } from './unsupported.js';

/** The label cdk8s-plus puts on every managed pod (the docs' "cdk8s.io/metadata.address" is a misprint). */
export const ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

export interface AbstractPodProps extends ResourceProps {
  readonly containers?: ContainerProps[];
  /** Creates a policy that isolates the pods for ingress and egress (DNS included: see `connections.allowDns()`). */
  readonly isolate?: boolean;
}

export type PodProps = AbstractPodProps;

export const ABSTRACT_POD_PROPS = ['metadata', 'containers', 'isolate'] as const;

/** What pods and workloads share: containers, and being a selector and a peer through the address label. */
export abstract class AbstractPod extends Resource implements IPodSelector, INetworkPolicyPeer {
  abstract readonly podMetadata: ApiObjectMetadataDefinition;
  protected readonly isolate: boolean;
  private readonly _containers: Container[] = [];

  constructor(scope: Construct, id: string, props: AbstractPodProps = {}) {
    super(scope, id);
    this.isolate = props.isolate ?? false;
    for (const container of props.containers ?? []) this.addContainer(container);
  }

  get containers(): Container[] {
    return [...this._containers];
  }

  addContainer(props: ContainerProps): Container {
    const container = new Container(props);
    this._containers.push(container);
    return container;
  }

  toPodSelectorConfig(): PodSelectorConfig {
    const address = this.podMetadata.getLabel(ADDRESS_LABEL);
    if (!address) throw new Error(`Unable to create a label selector since ${ADDRESS_LABEL} label is missing`);
    return {
      labelSelector: LabelSelector.of({ labels: { [ADDRESS_LABEL]: address } }),
      namespaces: this.metadata.namespace ? { names: [this.metadata.namespace] } : undefined,
    };
  }

  toNetworkPolicyPeerConfig(): NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  toPodSelector(): IPodSelector | undefined {
    return this;
  }

  /** The pod spec as cdk8s-plus renders it for these props, its defaults included. */
  protected podSpec(restartPolicy: 'Always' | 'Never'): object {
    if (this._containers.length === 0) throw new Error('PodSpec must have at least 1 container');
    return {
      restartPolicy,
      containers: this._containers.map((c) => c._toKube()),
      securityContext: { runAsNonRoot: true, fsGroupChangePolicy: 'Always' },
      dnsPolicy: 'ClusterFirst',
      setHostnameAsFQDN: false,
      automountServiceAccountToken: false,
      shareProcessNamespace: false,
      hostNetwork: false,
      terminationGracePeriodSeconds: 30,
    };
  }
}

/** A managed Pod: as a selector or a peer, exactly this pod. */
export class Pod extends AbstractPod {
  /** This label is added to every managed pod; it is how policies pick a managed pod. */
  static readonly ADDRESS_LABEL = ADDRESS_LABEL;

  protected readonly apiObject: ApiObject;
  readonly resourceType = 'pods';
  readonly connections: PodConnections;

  constructor(scope: Construct, id: string, props: PodProps = {}) {
    super(scope, id, props);
    rejectUnsupported('Pod', props, ABSTRACT_POD_PROPS);
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: props.metadata,
      spec: atSynth(() => this.podSpec('Always')),
    });
    this.metadata.addLabel(ADDRESS_LABEL, Names.toLabelValue(this));
    this.connections = new PodConnections(this);
    if (this.isolate) this.connections.isolate();
  }

  get podMetadata(): ApiObjectMetadataDefinition {
    return this.metadata;
  }
}
