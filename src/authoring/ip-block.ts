import { Construct } from 'constructs';
import { definedFields, ipBlockErrors } from './apiserver-checks.js';
import type { INetworkPolicyPeer, KubeIpBlock, NetworkPolicyPeerConfig } from './peers.js';
import type { IPodSelector } from './selectors.js';

const IPV4_CIDR = /^(\d{1,3}\.){3}\d{1,3}(\/\d+)?$/;
const IPV6_CIDR = /^([\da-f]{0,4}:){2,7}([\da-f]{0,4})?(\/\d+)?$/;

/**
 * Addresses as a peer: a CIDR, minus the `except` CIDRs. The constructors keep
 * cdk8s-plus's checks and hints (a missing mask suggests `/32` or `/128`), then
 * check what the API server checks, so `10.0.0.0/33` or an except outside the
 * CIDR is an error here rather than at `kubectl apply`.
 */
export class NetworkPolicyIpBlock extends Construct implements INetworkPolicyPeer {
  static ipv4(scope: Construct, id: string, cidrIp: string, except?: string[]): NetworkPolicyIpBlock {
    const match = cidrIp.match(IPV4_CIDR);
    if (!match) throw new Error(`Invalid IPv4 CIDR: "${cidrIp}"`);
    if (!match[2]) throw new Error(`CIDR mask is missing in IPv4: "${cidrIp}". Did you mean "${cidrIp}/32"?`);
    return new NetworkPolicyIpBlock(scope, id, cidrIp, except);
  }

  static anyIpv4(scope: Construct, id: string): NetworkPolicyIpBlock {
    return new NetworkPolicyIpBlock(scope, id, '0.0.0.0/0');
  }

  static ipv6(scope: Construct, id: string, cidrIp: string, except?: string[]): NetworkPolicyIpBlock {
    const match = cidrIp.match(IPV6_CIDR);
    if (!match) throw new Error(`Invalid IPv6 CIDR: "${cidrIp}"`);
    if (!match[3]) throw new Error(`CIDR mask is missing in IPv6: "${cidrIp}". Did you mean "${cidrIp}/128"?`);
    return new NetworkPolicyIpBlock(scope, id, cidrIp, except);
  }

  static anyIpv6(scope: Construct, id: string): NetworkPolicyIpBlock {
    return new NetworkPolicyIpBlock(scope, id, '::/0');
  }

  readonly cidr: string;
  readonly except?: string[];

  constructor(scope: Construct, id: string, cidr: string, except?: string[]) {
    // Checked before the construct joins the tree, so a caught error leaves no half-made peer behind.
    const errors = ipBlockErrors(definedFields({ cidr, except }));
    if (errors.length > 0) {
      const path = [scope.node.path, id].filter(Boolean).join('/');
      throw new Error(`Invalid NetworkPolicyIpBlock '${path}': ${errors.join('; ')}`);
    }
    super(scope, id);
    this.cidr = cidr;
    this.except = except;
  }

  toNetworkPolicyPeerConfig(): NetworkPolicyPeerConfig {
    return { ipBlock: this };
  }

  toPodSelector(): IPodSelector | undefined {
    return undefined;
  }

  /** @internal */
  _toKube(): KubeIpBlock {
    return { cidr: this.cidr, except: this.except };
  }
}
