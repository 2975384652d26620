import { formatIP } from '../algebra/ip.js';
import { formatLocation } from '../util/location.js';
import { type PolicyRef, type RuleRef, policyName, ruleName } from '../policy/ir.js';
import type { DirectionVerdict, TierRuleRef, Verdict } from './verdict.js';
import type { FlowPeer } from '../policy/evaluate.js';

export const describePeer = (peer: FlowPeer): string => {
  if (peer.kind === 'external') return `${formatIP(peer.ip.family, peer.ip.value)} (external)`;
  return peer.ip === undefined ? peer.endpoint.id : `${peer.endpoint.id} (${formatIP(peer.ip.family, peer.ip.value)})`;
};

const peerName = (peer: FlowPeer): string =>
  peer.kind === 'external' ? formatIP(peer.ip.family, peer.ip.value) : peer.endpoint.id;

/** A verdict as a person reads it: the answer first, then why, direction by direction. */
export function explainVerdict(verdict: Verdict): string {
  const { flow } = verdict;
  const head =
    `${verdict.allowed ? 'allowed' : 'denied'}: ` +
    `${describePeer(flow.src)} => ${describePeer(flow.dst)} on ${flow.protocol} ${flow.port}`;
  if (verdict.self) return `${head}\n  an endpoint's traffic to itself is always allowed\n`;
  const lines = [
    head,
    ...explainDirection(verdict.egress, `egress from ${peerName(flow.src)}`, peerName(flow.dst), verdict),
    ...explainDirection(verdict.ingress, `ingress to ${peerName(flow.dst)}`, peerName(flow.src), verdict),
  ];
  return `${lines.join('\n')}\n`;
}

function explainDirection(d: DirectionVerdict, title: string, remote: string, verdict: Verdict): string[] {
  const lines = decisionLines(d, title, remote, verdict);
  const passes = d.passedBy.map((r) => `    passed on to the namespaced policies by ${describeTierRule(r)}`);
  const dns = d.dependsOnDNS.map(
    (r) =>
      `    depends on DNS: ${describeTierRule(r)} ${r.action === 'deny' ? 'denies' : 'allows'} it ` +
      `if ${remote} is an address of ${domainsOf(r)}, which only DNS can tell`,
  );
  return [lines[0]!, ...passes, ...lines.slice(1), ...dns];
}

function decisionLines(d: DirectionVerdict, title: string, remote: string, verdict: Verdict): string[] {
  const outcome = d.allowed ? 'allowed' : 'denied';
  switch (d.reason) {
    case 'tier-rule': {
      const rule = d.decidedBy!;
      const verb = rule.action === 'allow' ? 'allowed' : rule.action === 'deny' ? 'denied' : 'passed on';
      return [`  ${title}: ${outcome}`, `    ${verb} by ${describeTierRule(rule)}`];
    }
    case 'not-an-endpoint':
      return [`  ${title}: ${outcome}: not an endpoint, so no NetworkPolicy applies`];
    case 'host-network':
      return [`  ${title}: ${outcome}: a hostNetwork pod is node traffic, which NetworkPolicy does not select`];
    case 'local-node':
      return [`  ${title}: ${outcome}: traffic between a pod and its own node is always allowed`];
    case 'not-isolated':
      return d.passedBy.length > 0 || verdictHasTiers(verdict)
        ? [
            `  ${title}: ${outcome}`,
            `    no NetworkPolicy isolates it for ${d.direction} and no baseline rule matches: the default allows`,
          ]
        : [`  ${title}: ${outcome}: no NetworkPolicy selects it for ${d.direction}`];
    case 'allowed-by-rule':
      return [
        `  ${title}: ${outcome}`,
        ...d.isolatedBy.map((p) => `    isolated by ${describePolicy(p)}`),
        ...d.allowedBy.map((r) => `    allowed by ${describeRule(r)}`),
      ];
    case 'no-rule-allows': {
      // Ironcore peers are of the policy's network: a remote of another network is never one, whatever its labels.
      const other = d.direction === 'ingress' ? verdict.flow.src : verdict.flow.dst;
      const network =
        other.kind === 'endpoint' && other.endpoint.network !== undefined ? ` (network ${other.endpoint.network})` : '';
      return [
        `  ${title}: ${outcome}`,
        ...d.isolatedBy.map((p) => `    isolated by ${describePolicy(p)}`),
        `    no ${d.direction} rule of ${d.isolatedBy.length === 1 ? 'this policy' : 'these policies'} ` +
          `allows ${remote}${network} on ${verdict.flow.protocol} ${verdict.flow.port}`,
      ];
    }
  }
}

const describePolicy = (ref: PolicyRef): string =>
  ref.kind === 'NamespaceIsolation'
    ? `the DefaultDeny annotation of namespace ${ref.namespace} (legacy semantics; ${formatLocation(ref.origin)})`
    : ref.kind === 'IroncoreNetworkPolicy'
      ? `Ironcore NetworkPolicy ${policyName(ref)} of network ${ref.network} (${formatLocation(ref.origin)})`
      : `NetworkPolicy ${policyName(ref)} (${formatLocation(ref.origin)})`;
const describeRule = (ref: RuleRef): string => `${ruleName(ref)} (${formatLocation(ref.origin)})`;

const TIER_NAMES = { admin: 'admin tier', baseline: 'baseline tier' } as const;

/** `AdminNetworkPolicy deny-all (admin tier, priority 10) egress[0] "deny-dns" (file:line)` */
const describeTierRule = (r: TierRuleRef): string => {
  const { policy } = r.rule;
  const where =
    policy.kind === 'BaselineAdminNetworkPolicy' ? TIER_NAMES[r.tier] : `${TIER_NAMES[r.tier]}, priority ${r.priority}`;
  const name = r.rule.name === undefined ? '' : ` ${JSON.stringify(r.rule.name)}`;
  return (
    `${policy.kind} ${policyName(policy)} (${where}) ` +
    `${r.rule.direction}[${r.rule.index}]${name} (${formatLocation(r.rule.origin)})`
  );
};

const domainsOf = (r: TierRuleRef): string => r.domains?.join(', ') ?? 'its domain names';

/** Whether either side met a rule of a tier: then "no NetworkPolicy" would not say all there is. */
const verdictHasTiers = (v: Verdict): boolean =>
  [v.egress, v.ingress].some((d) => d.passedBy.length > 0 || d.decidedBy !== undefined || d.dependsOnDNS.length > 0);

/** The verdict as plain data, for `--output json` and other programs. */
export function verdictToJSON(verdict: Verdict): object {
  const peer = (p: FlowPeer) =>
    p.kind === 'external'
      ? { kind: 'external', ip: formatIP(p.ip.family, p.ip.value) }
      : { kind: 'endpoint', id: p.endpoint.id, ip: p.ip === undefined ? null : formatIP(p.ip.family, p.ip.value) };
  const policy = (ref: PolicyRef) => ({
    ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
    name: ref.name,
    file: ref.origin.file,
    line: ref.origin.line,
  });
  const rule = (ref: RuleRef) => ({
    policy: policy(ref.policy),
    direction: ref.direction,
    index: ref.index,
    file: ref.origin.file,
    line: ref.origin.line,
  });
  const tierRule = (r: TierRuleRef) => ({
    kind: r.rule.policy.kind,
    tier: r.tier,
    priority: r.priority,
    action: r.action,
    ...rule(r.rule),
    ...(r.rule.name === undefined ? {} : { name: r.rule.name }),
    ...(r.domains === undefined ? {} : { domains: r.domains }),
  });
  // The tiers' fields only where a tier had a say, so that a verdict of NetworkPolicies alone reads as it did.
  const direction = (d: DirectionVerdict) => ({
    allowed: d.allowed,
    reason: d.reason,
    isolatedBy: d.isolatedBy.map(policy),
    allowedBy: d.allowedBy.map(rule),
    ...(d.decidedBy === undefined ? {} : { decidedBy: tierRule(d.decidedBy) }),
    ...(d.passedBy.length === 0 ? {} : { passedBy: d.passedBy.map(tierRule) }),
    ...(d.dependsOnDNS.length === 0 ? {} : { dependsOnDNS: d.dependsOnDNS.map(tierRule) }),
  });
  return {
    allowed: verdict.allowed,
    self: verdict.self,
    flow: {
      src: peer(verdict.flow.src),
      dst: peer(verdict.flow.dst),
      protocol: verdict.flow.protocol,
      port: verdict.flow.port,
    },
    egress: direction(verdict.egress),
    ingress: direction(verdict.ingress),
  };
}
