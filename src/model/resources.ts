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
