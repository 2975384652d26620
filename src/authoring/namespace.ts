import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { atSynth } from './synth-token.js';
import { NAMESPACE_NAME_LABEL } from '../model/cluster.js';
import type { INetworkPolicyPeer, NetworkPolicyPeerConfig } from './peers.js';
import { Resource, type ResourceProps } from './resource.js';
import {
  type INamespaceSelector,
  type IPodSelector,
  type NamespaceSelectorConfig,
  Namespaces,
  Pods,
} from './selectors.js';
import { rejectUnsupported } from './unsupported.js';

export type NamespaceProps = ResourceProps;

/** A managed Namespace. As a peer: every pod in it, picked by its name label. */
export class Namespace extends Resource implements INamespaceSelector, INetworkPolicyPeer {
  /** The label the control plane puts on every namespace, with its name. */
  static readonly NAME_LABEL = NAMESPACE_NAME_LABEL;

  protected readonly apiObject: ApiObject;
  readonly resourceType = 'namespaces';
  private readonly pods: Pods;

  constructor(scope: Construct, id: string, props: NamespaceProps = {}) {
    super(scope, id);
    rejectUnsupported('Namespace', props, ['metadata'], '');
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: props.metadata,
      spec: atSynth(() => ({})),
    });
    this.pods = Pods.all(this, 'Pods', {
      namespaces: Namespaces.select(this, 'Namespaces', { names: [this.name] }),
    });
  }

  toNamespaceSelectorConfig(): NamespaceSelectorConfig {
    return { names: [this.name] };
  }

  toNetworkPolicyPeerConfig(): NetworkPolicyPeerConfig {
    return this.pods.toNetworkPolicyPeerConfig();
  }

  toPodSelector(): IPodSelector | undefined {
    return this.pods.toPodSelector();
  }
}
