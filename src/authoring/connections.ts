import { NetworkPolicy, NetworkPolicyTrafficDefault } from './network-policy.js';
import { type DnsOptions } from './dns.js';
import { type INetworkPolicyPeer, addressOf, validatePeerConfig } from './peers.js';
import { NetworkPolicyPort, type NetworkProtocol } from './ports.js';
import type { IPodSelector } from './selectors.js';

/** Which side's policies `allowTo`/`allowFrom` create. Unset: both. */
export enum PodConnectionsIsolation {
  /** Only the policy that selects this pod. */
  POD = 'POD',
  /** Only the policy that selects the peer. */
  PEER = 'PEER',
}

export interface PodConnectionsAllowToOptions {
  readonly isolation?: PodConnectionsIsolation;
  /** Default: the peer's container ports, each with its protocol; every port when the peer declares none. */
  readonly ports?: NetworkPolicyPort[];
}

export interface PodConnectionsAllowFromOptions {
  readonly isolation?: PodConnectionsIsolation;
  /** Default: this pod's container ports, each with its protocol; every port when it declares none. */
  readonly ports?: NetworkPolicyPort[];
}

/** A container port as cdk8s-plus's containers and netpol's describe it. */
interface PortLike {
  readonly number: number;
  readonly protocol?: string;
}

/**
 * What connections need of a pod or workload. netpol's and cdk8s-plus's both
 * have it, so `new PodConnections(kplusDeployment)` gives a cdk8s-plus
 * workload the corrected `allowTo`/`allowFrom`.
 */
export interface IConnectablePod extends IPodSelector, INetworkPolicyPeer {
  readonly name: string;
  readonly metadata: { readonly namespace?: string };
  readonly containers: readonly { readonly ports: readonly PortLike[] }[];
}

type Direction = 'Egress' | 'Ingress';

/**
 * `pod.connections`: the policies for one connection, on both sides if need be.
 * Unlike cdk8s-plus's, the default ports keep the container ports' protocols
 * (cdk8s-plus makes every one TCP, so a UDP 53 port gave a TCP 53 rule).
 */
export class PodConnections {
  constructor(protected readonly instance: IConnectablePod) {}

  /** Allows this pod to open connections to the peer: egress here, ingress on the peer's side. */
  allowTo(peer: INetworkPolicyPeer, options: PodConnectionsAllowToOptions = {}): void {
    this.allow('Egress', peer, { ports: containerPorts(peer), ...options });
  }

  /** Allows the peer to open connections to this pod: ingress here, egress on the peer's side. */
  allowFrom(peer: INetworkPolicyPeer, options: PodConnectionsAllowFromOptions = {}): void {
    this.allow('Ingress', peer, { ports: containerPorts(this.instance), ...options });
  }

  /** Isolates the pod both ways: nothing gets in or out but what other policies allow. */
  isolate(): void {
    new NetworkPolicy(this.instance, 'DefaultDenyAll', {
      selector: this.instance,
      // A policy selects pods of its own namespace only.
      metadata: { namespace: this.instance.metadata.namespace },
      egress: { default: NetworkPolicyTrafficDefault.DENY },
      ingress: { default: NetworkPolicyTrafficDefault.DENY },
    });
  }

  /**
   * Lets this pod resolve names, which `isolate` (or any egress isolation)
   * otherwise prevents: a policy allowing egress to kube-dns on UDP and TCP 53.
   * Like `allowTo`, it is an egress policy, so it isolates a pod nothing else
   * isolated for egress. Once per pod: later calls return the same policy.
   */
  allowDns(options: DnsOptions = {}): NetworkPolicy {
    const existing = this.instance.node.tryFindChild('AllowDns');
    if (existing instanceof NetworkPolicy) return existing;
    const policy = new NetworkPolicy(this.instance, 'AllowDns', {
      selector: this.instance,
      metadata: { namespace: this.instance.metadata.namespace },
    });
    policy.allowDns(options);
    return policy;
  }

  private allow(direction: Direction, peer: INetworkPolicyPeer, options: PodConnectionsAllowToOptions): void {
    const config = peer.toNetworkPolicyPeerConfig();
    validatePeerConfig(config);
    const peerAddress = addressOf(peer);
    if (!options.isolation || options.isolation === PodConnectionsIsolation.POD) {
      const own = new NetworkPolicy(this.instance, `Allow${direction}${peerAddress}`, {
        selector: this.instance,
        metadata: { namespace: this.instance.metadata.namespace },
      });
      if (direction === 'Egress') own.addEgressRule(peer, options.ports);
      else own.addIngressRule(peer, options.ports);
    }
    if (!options.isolation || options.isolation === PodConnectionsIsolation.PEER) {
      // Addresses outside the cluster have no policies of their own.
      if (config.ipBlock) return;
      this.allowOnPeerSide(direction, peer, peerAddress, options.ports);
    }
  }

  /** One policy per namespace the peer names, selecting the peer there. */
  private allowOnPeerSide(
    direction: Direction,
    peer: INetworkPolicyPeer,
    peerAddress: string,
    ports: NetworkPolicyPort[] | undefined,
  ): void {
    const selector = peer.toPodSelector();
    if (!selector)
      throw new Error(`Unable to create policies for peer '${peer.node.addr}' since its not a pod selector`);
    const opposite = direction === 'Egress' ? 'Ingress' : 'Egress';
    const namespaces = selector.toPodSelectorConfig().namespaces;
    let names: readonly (string | undefined)[];
    if (!namespaces) {
      names = [this.instance.metadata.namespace];
    } else {
      const unable = `Unable to create an ${opposite} policy for peer '${peer.node.path}' (pod=${this.instance.name}).`;
      if (namespaces.labelSelector && !namespaces.labelSelector.isEmpty()) {
        throw new Error(`${unable} Peer must specify namespaces only by name`);
      }
      if (!namespaces.names) throw new Error(`${unable} Peer must specify namespace names`);
      names = namespaces.names;
    }
    for (const name of names) {
      // The id keeps cdk8s-plus's `${name}`, "undefined" included, so policy names stay as they were.
      const rule = { peer: this.instance, ports };
      new NetworkPolicy(this.instance, `Allow${opposite}${name}${peerAddress}`, {
        selector,
        metadata: { namespace: name },
        ...(opposite === 'Ingress' ? { ingress: { rules: [rule] } } : { egress: { rules: [rule] } }),
      });
    }
  }
}

/** The container ports of a managed pod or workload, each as a rule port of its own protocol; none for a selection. */
function containerPorts(peer: unknown): NetworkPolicyPort[] {
  const containers = (peer as Partial<Pick<IConnectablePod, 'containers'>>).containers ?? [];
  return containers
    .flatMap((c) => c.ports)
    .map((p) => NetworkPolicyPort.of({ port: p.number, protocol: (p.protocol ?? 'TCP') as NetworkProtocol }));
}
