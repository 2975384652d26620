import type { LabelSelector, Labels } from '../algebra/selector.js';

/** The typed shapes of the objects netpol reads, after structural decoding. */

export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Labels;
  readonly annotations?: Labels;
  readonly ownerReferences?: readonly OwnerReference[];
}

export interface OwnerReference {
  readonly kind: string;
  readonly name: string;
  readonly controller?: boolean;
}

export interface NetworkPolicyPort {
  readonly protocol?: string;
  /** A number is a port; a string is a container port name (intstr). */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface IPBlock {
  readonly cidr?: string;
  readonly except?: readonly string[];
}

export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IPBlock;
}

export interface NetworkPolicyIngressRule {
  readonly ports?: readonly NetworkPolicyPort[];
  readonly from?: readonly NetworkPolicyPeer[];
}

export interface NetworkPolicyEgressRule {
  readonly ports?: readonly NetworkPolicyPort[];
  readonly to?: readonly NetworkPolicyPeer[];
}

export interface NetworkPolicySpec {
  readonly podSelector?: LabelSelector;
  readonly policyTypes?: readonly string[];
  readonly ingress?: readonly NetworkPolicyIngressRule[];
  readonly egress?: readonly NetworkPolicyEgressRule[];
}

export interface NetworkPolicy {
  readonly apiVersion: string;
  readonly kind: 'NetworkPolicy';
  readonly metadata: ObjectMeta;
  readonly spec?: NetworkPolicySpec;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
}

export interface Container {
  readonly name?: string;
  readonly ports?: readonly ContainerPort[];
}

export interface PodSpec {
  readonly nodeName?: string;
  readonly hostNetwork?: boolean;
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
}

export interface PodStatus {
  readonly podIP?: string;
  readonly podIPs?: readonly { readonly ip: string }[];
  readonly hostIP?: string;
  readonly phase?: string;
}

export interface Pod {
  readonly kind: 'Pod';
  readonly metadata: ObjectMeta;
  readonly spec?: PodSpec;
  readonly status?: PodStatus;
}

export interface PodTemplate {
  readonly metadata?: ObjectMeta;
  readonly spec?: PodSpec;
}

/** Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController, Job; CronJob nests one level deeper. */
export interface Workload {
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly template?: PodTemplate;
    readonly jobTemplate?: { readonly spec?: { readonly template?: PodTemplate } };
  };
}

export interface Namespace {
  readonly kind: 'Namespace';
  readonly metadata: ObjectMeta;
}

export interface NodeAddress {
  readonly type: string;
  readonly address: string;
}

export interface Node {
  readonly kind: 'Node';
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly podCIDR?: string; readonly podCIDRs?: readonly string[] };
  readonly status?: { readonly addresses?: readonly NodeAddress[] };
}

// Ironcore (networking.ironcore.dev/v1alpha1, compute.ironcore.dev/v1alpha1): the fields netpol reads.

export interface LocalObjectReference {
  readonly name?: string;
}

/** `kind` next to an inline label selector. */
export interface ObjectSelector extends LabelSelector {
  readonly kind?: string;
}

export interface IroncorePolicyPort {
  readonly protocol?: string;
  readonly port?: number;
  readonly endPort?: number;
}

export interface IroncorePolicyPeer {
  readonly objectSelector?: ObjectSelector;
  readonly ipBlock?: IPBlock;
}

export interface IroncoreNetworkPolicy {
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly networkRef?: LocalObjectReference;
    readonly networkInterfaceSelector?: LabelSelector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly {
      readonly ports?: readonly IroncorePolicyPort[];
      readonly from?: readonly IroncorePolicyPeer[];
    }[];
    readonly egress?: readonly {
      readonly ports?: readonly IroncorePolicyPort[];
      readonly to?: readonly IroncorePolicyPeer[];
    }[];
  };
}

export interface NetworkInterfaceSpec {
  readonly networkRef?: LocalObjectReference;
  readonly ips?: readonly { readonly value?: string }[];
  readonly machineRef?: LocalObjectReference;
}

export interface NetworkInterface {
  readonly metadata: ObjectMeta;
  readonly spec?: NetworkInterfaceSpec;
  readonly status?: { readonly state?: string; readonly ips?: readonly string[] };
}

export interface LoadBalancer {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly networkRef?: LocalObjectReference; readonly ips?: readonly { readonly value?: string }[] };
  readonly status?: { readonly ips?: readonly string[] };
}

export interface VirtualIP {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly targetRef?: LocalObjectReference };
  readonly status?: { readonly ip?: string };
}

export interface Machine {
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly machinePoolRef?: LocalObjectReference;
    readonly networkInterfaces?: readonly {
      readonly name?: string;
      readonly networkInterfaceRef?: LocalObjectReference;
      readonly ephemeral?: {
        readonly networkInterfaceTemplate?: { readonly metadata?: ObjectMeta; readonly spec?: NetworkInterfaceSpec };
      };
    }[];
  };
}

// policy.networking.k8s.io: the cluster-wide tiers, as they are once they validated and the CRDs' defaults applied.
// Fields the CRDs require are not optional here; every union whose members the CRD allows one of ("exactly one
// field") is written as optional fields, of which a valid object sets exactly one.

/** Pods by namespace and pod labels. ClusterNetworkPolicy may leave out namespaceSelector (every namespace). */
export interface NamespacedPod {
  readonly namespaceSelector?: LabelSelector;
  readonly podSelector: LabelSelector;
}

/** Whose traffic a cluster-wide policy is about: exactly one field. */
export interface TierPolicySubject {
  readonly namespaces?: LabelSelector;
  readonly pods?: NamespacedPod;
}

/** A source of ingress traffic: exactly one field. */
export interface TierPolicyIngressPeer {
  readonly namespaces?: LabelSelector;
  readonly pods?: NamespacedPod;
}

/** A destination of egress traffic: exactly one field. `nodes` and `domainNames` are of the experimental channel. */
export interface TierPolicyEgressPeer extends TierPolicyIngressPeer {
  readonly nodes?: LabelSelector;
  /** CIDRs, IPv4 or IPv6. */
  readonly networks?: readonly string[];
  /** Exact names, or `*.` followed by a suffix that stands for one or more labels. */
  readonly domainNames?: readonly string[];
}

/** ClusterNetworkPolicy (`v1alpha2`): a destination port by number or by a range with start < end. */
export interface ClusterNetworkPolicyPortMatch {
  readonly destinationPort?: {
    readonly number?: number;
    readonly range?: { readonly start: number; readonly end: number };
  };
}

/** Exactly one field. */
export interface ClusterNetworkPolicyProtocol {
  readonly tcp?: ClusterNetworkPolicyPortMatch;
  readonly udp?: ClusterNetworkPolicyPortMatch;
  readonly sctp?: ClusterNetworkPolicyPortMatch;
  /** A container port name (experimental channel). */
  readonly destinationNamedPort?: string;
}

export type ClusterNetworkPolicyAction = 'Accept' | 'Deny' | 'Pass';

export interface ClusterNetworkPolicyIngressRule {
  readonly name?: string;
  readonly action: ClusterNetworkPolicyAction;
  readonly from: readonly TierPolicyIngressPeer[];
  readonly protocols?: readonly ClusterNetworkPolicyProtocol[];
}

export interface ClusterNetworkPolicyEgressRule {
  readonly name?: string;
  readonly action: ClusterNetworkPolicyAction;
  readonly to: readonly TierPolicyEgressPeer[];
  readonly protocols?: readonly ClusterNetworkPolicyProtocol[];
}

export interface ClusterNetworkPolicy {
  readonly apiVersion: string;
  readonly kind: 'ClusterNetworkPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly tier: 'Admin' | 'Baseline';
    /** 0 to 1000; lower is evaluated first within the tier. */
    readonly priority: number;
    readonly subject: TierPolicySubject;
    readonly ingress?: readonly ClusterNetworkPolicyIngressRule[];
    readonly egress?: readonly ClusterNetworkPolicyEgressRule[];
  };
}

/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (`v1alpha1`) ports: exactly one field. The CRD defaults
 * `protocol` to TCP, so it is always set; netpol also holds it to TCP, UDP or SCTP, which the CRD does not.
 */
export interface AdminNetworkPolicyPort {
  readonly portNumber?: { readonly protocol: string; readonly port: number };
  /** Inclusive; netpol refuses start > end, which the v1alpha1 CRD lets through. */
  readonly portRange?: { readonly protocol: string; readonly start: number; readonly end: number };
  /** A container port name (experimental channel). */
  readonly namedPort?: string;
}

export type AdminNetworkPolicyAction = 'Allow' | 'Deny' | 'Pass';
export type BaselineAdminNetworkPolicyAction = 'Allow' | 'Deny';

export interface AdminNetworkPolicyIngressRule<Action extends string = AdminNetworkPolicyAction> {
  readonly name?: string;
  readonly action: Action;
  readonly from: readonly TierPolicyIngressPeer[];
  readonly ports?: readonly AdminNetworkPolicyPort[];
}

export interface AdminNetworkPolicyEgressRule<Action extends string = AdminNetworkPolicyAction> {
  readonly name?: string;
  readonly action: Action;
  readonly to: readonly TierPolicyEgressPeer[];
  readonly ports?: readonly AdminNetworkPolicyPort[];
}

export interface AdminNetworkPolicy {
  readonly apiVersion: string;
  readonly kind: 'AdminNetworkPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** 0 to 1000; lower is evaluated first. */
    readonly priority: number;
    readonly subject: TierPolicySubject;
    readonly ingress?: readonly AdminNetworkPolicyIngressRule[];
    readonly egress?: readonly AdminNetworkPolicyEgressRule[];
  };
}

/** The singleton below NetworkPolicy: its name is always `default`; its egress peers have no `domainNames`. */
export interface BaselineAdminNetworkPolicy {
  readonly apiVersion: string;
  readonly kind: 'BaselineAdminNetworkPolicy';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly subject: TierPolicySubject;
    readonly ingress?: readonly AdminNetworkPolicyIngressRule<BaselineAdminNetworkPolicyAction>[];
    readonly egress?: readonly AdminNetworkPolicyEgressRule<BaselineAdminNetworkPolicyAction>[];
  };
}
