import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { atSynth } from './synth-token.js';
import { DNS_LABELS, DNS_NAMESPACE, DNS_PORT, type DnsOptions } from './dns.js';
import { type INetworkPolicyPeer, type KubeNetworkPolicyPeer, kubePeersOf } from './peers.js';
import { type KubeNetworkPolicyPort, NetworkPolicyPort } from './ports.js';
import { Resource, type ResourceProps } from './resource.js';
import { type IPodSelector, type KubeLabelSelector, Namespaces, Pods, type PodSelectorConfig } from './selectors.js';
import { rejectUnsupported } from './unsupported.js';

/** What a policy does in a direction where it has no rules. */
export enum NetworkPolicyTrafficDefault {
  /** Isolate: only what rules (of any policy) allow gets through. */
  DENY = 'DENY',
  /** Allow everything: adds the rule `{}`. */
  ALLOW = 'ALLOW',
}

/**
 * One rule: traffic with `peer` (or with any of `peers`, which cdk8s-plus
 * cannot express), on `ports` (default: every port).
 */
export type NetworkPolicyRule =
  | { readonly peer: INetworkPolicyPeer; readonly ports?: NetworkPolicyPort[] }
  | { readonly peers: readonly INetworkPolicyPeer[]; readonly ports?: NetworkPolicyPort[] };

export interface NetworkPolicyTraffic {
  readonly default?: NetworkPolicyTrafficDefault;
  readonly rules?: NetworkPolicyRule[];
}

export interface NetworkPolicyProps extends ResourceProps {
  /** The pods the policy applies to. Default: every pod of its namespace. */
  readonly selector?: IPodSelector;
  readonly ingress?: NetworkPolicyTraffic;
  readonly egress?: NetworkPolicyTraffic;
}

type Direction = 'Egress' | 'Ingress';

interface KubeRule {
  readonly ports?: KubeNetworkPolicyPort[];
  readonly from?: KubeNetworkPolicyPeer[];
  readonly to?: KubeNetworkPolicyPeer[];
}

const POLICY_PROPS = ['metadata', 'selector', 'ingress', 'egress'] as const;
const TRAFFIC_PROPS = ['default', 'rules'] as const;
const RULE_PROPS = ['peer', 'peers', 'ports'] as const;

/**
 * A `networking.k8s.io/v1` NetworkPolicy, written as cdk8s-plus writes it
 * (names, namespaces, rule and peer order, `policyTypes` in the order the
 * directions were configured) so that switching library changes nothing that
 * cdk8s-plus gets right.
 */
export class NetworkPolicy extends Resource {
  protected readonly apiObject: ApiObject;
  readonly resourceType = 'networkpolicies';

  private readonly podSelectorConfig: PodSelectorConfig;
  private readonly egressRules: KubeRule[] = [];
  private readonly ingressRules: KubeRule[] = [];
  private readonly policyTypes = new Set<Direction>();
  private dnsAllowed = false;

  constructor(scope: Construct, id: string, props: NetworkPolicyProps = {}) {
    super(scope, id);
    rejectUnsupported('NetworkPolicy', props, POLICY_PROPS, '');
    const podSelector = props.selector ?? Pods.all(this, 'AllPods');
    this.podSelectorConfig = podSelector.toPodSelectorConfig();
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { ...props.metadata, namespace: props.metadata?.namespace || this.selectorNamespace(podSelector) },
      spec: atSynth(() => this.toKubeSpec()),
    });
    for (const [direction, traffic] of [
      ['Egress', props.egress],
      ['Ingress', props.ingress],
    ] as const) {
      if (traffic !== undefined) rejectUnsupported(`${direction.toLowerCase()} traffic`, traffic, TRAFFIC_PROPS, '');
      this.configureDefault(direction, traffic?.default);
    }
    for (const rule of props.egress?.rules ?? []) this.addEgressRule(...ruleArguments(rule));
    for (const rule of props.ingress?.rules ?? []) this.addIngressRule(...ruleArguments(rule));
  }

  /** Allows traffic from the selected pods to the peer(s), on the ports given (default: every port). */
  addEgressRule(peer: INetworkPolicyPeer | readonly INetworkPolicyPeer[], ports?: NetworkPolicyPort[]): void {
    this.policyTypes.add('Egress');
    this.egressRules.push({ ports: kubePorts(ports), to: kubePeers(peer) });
  }

  /** Allows traffic from the peer(s) to the selected pods, on the ports given (default: every port). */
  addIngressRule(peer: INetworkPolicyPeer | readonly INetworkPolicyPeer[], ports?: NetworkPolicyPort[]): void {
    this.policyTypes.add('Ingress');
    this.ingressRules.push({ ports: kubePorts(ports), from: kubePeers(peer) });
  }

  /**
   * Lets the selected pods resolve names: egress to kube-dns on UDP and TCP 53.
   * Egress isolation without it is the most common default-deny outage. Once
   * per policy; later calls change nothing.
   */
  allowDns(options: DnsOptions = {}): void {
    if (this.dnsAllowed) return;
    this.dnsAllowed = true;
    const namespaces = Namespaces.select(this, 'DnsNamespace', { names: [options.namespace ?? DNS_NAMESPACE] });
    const resolvers = Pods.select(this, 'DnsPods', { labels: { ...(options.labels ?? DNS_LABELS) }, namespaces });
    this.addEgressRule(resolvers, [NetworkPolicyPort.udp(DNS_PORT), NetworkPolicyPort.tcp(DNS_PORT)]);
  }

  /** A policy selects pods of its own namespace only, so a selector may name one namespace, by name. */
  private selectorNamespace(selector: IPodSelector): string | undefined {
    const namespaces = this.podSelectorConfig.namespaces;
    if (namespaces?.labelSelector && !namespaces.labelSelector.isEmpty()) {
      throw new Error(
        `Unable to create a network policy for a selector (${selector.node.path}) ` +
          'that selects pods in namespaces based on labels',
      );
    }
    if (namespaces?.names && namespaces.names.length > 1) {
      throw new Error(
        `Unable to create a network policy for a selector (${selector.node.path}) ` +
          'that selects pods in multiple namespaces',
      );
    }
    return namespaces?.names?.[0];
  }

  private configureDefault(direction: Direction, behaviour: NetworkPolicyTrafficDefault | undefined): void {
    if (behaviour === undefined) return;
    this.policyTypes.add(direction);
    if (behaviour === NetworkPolicyTrafficDefault.ALLOW) {
      (direction === 'Egress' ? this.egressRules : this.ingressRules).push({});
    }
  }

  private toKubeSpec(): object {
    const podSelector: KubeLabelSelector = this.podSelectorConfig.labelSelector._toKube();
    return {
      podSelector,
      egress: this.egressRules.length > 0 ? this.egressRules : undefined,
      ingress: this.ingressRules.length > 0 ? this.ingressRules : undefined,
      policyTypes: this.policyTypes.size > 0 ? [...this.policyTypes] : undefined,
    };
  }
}

function ruleArguments(
  rule: NetworkPolicyRule,
): [INetworkPolicyPeer | readonly INetworkPolicyPeer[], NetworkPolicyPort[]?] {
  rejectUnsupported('rule', rule, RULE_PROPS, '');
  const hasPeer = 'peer' in rule && rule.peer !== undefined;
  const hasPeers = 'peers' in rule && rule.peers !== undefined;
  if (hasPeer === hasPeers) throw new Error("A NetworkPolicy rule takes either 'peer' or 'peers'");
  return ['peer' in rule && hasPeer ? rule.peer : (rule as { peers: readonly INetworkPolicyPeer[] }).peers, rule.ports];
}

/** No ports: every port, written `ports: []` as cdk8s-plus writes it. */
const kubePorts = (ports: readonly NetworkPolicyPort[] | undefined): KubeNetworkPolicyPort[] =>
  (ports ?? []).map((p) => p._toKube());

function kubePeers(peer: INetworkPolicyPeer | readonly INetworkPolicyPeer[]): KubeNetworkPolicyPeer[] {
  const peers: readonly INetworkPolicyPeer[] = isPeerList(peer) ? peer : [peer];
  // An empty `from`/`to` admits everyone: never the meaning of "these peers", so it is refused.
  if (peers.length === 0) throw new Error('A NetworkPolicy rule needs at least one peer');
  return peers.flatMap(kubePeersOf);
}

const isPeerList = (peer: INetworkPolicyPeer | readonly INetworkPolicyPeer[]): peer is readonly INetworkPolicyPeer[] =>
  Array.isArray(peer);
