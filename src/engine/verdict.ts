import { ConnSet, type Protocol } from '../algebra/connset.js';
import { type Cluster } from '../policy/cluster.js';
import { addressKey } from '../model/cluster.js';
import {
  type DirectionOutcome,
  type EngineOptions,
  type FlowPeer,
  defaultEngineOptions,
  evaluateDirection,
} from '../policy/evaluate.js';
import type { Action, Direction, PolicyRef, RuleRef } from '../policy/ir.js';

export interface Flow {
  readonly src: FlowPeer;
  readonly dst: FlowPeer;
  readonly protocol: Protocol;
  readonly port: number;
}

export type DirectionReason =
  | 'not-an-endpoint' // the side is outside the cluster; no policy is about it
  | 'host-network' // hostNetwork pods are node traffic
  | 'local-node' // traffic between a pod and its own node
  | 'not-isolated' // no policy decided: the default allows
  | 'allowed-by-rule' // a namespaced policy isolates the endpoint and a rule of one allows the flow
  | 'no-rule-allows' // a namespaced policy isolates the endpoint and none of their rules allows the flow
  | 'tier-rule'; // a rule of the admin or baseline tier matched first and decided

/** A rule of the admin or baseline tier, as a verdict names it. */
export interface TierRuleRef {
  readonly tier: 'admin' | 'baseline';
  readonly priority: number;
  readonly action: Action;
  readonly rule: RuleRef;
  /** The domain names of the rule's peers, for a rule met on the way that depends on DNS. */
  readonly domains?: readonly string[];
}

export interface DirectionVerdict {
  readonly direction: Direction;
  readonly allowed: boolean;
  readonly reason: DirectionReason;
  /** The namespaced policies that select the endpoint for this direction, when the flow reached them. */
  readonly isolatedBy: readonly PolicyRef[];
  /** Every rule of those policies that allows the flow, in policy order. */
  readonly allowedBy: readonly RuleRef[];
  /** The admin or baseline rule that decided, when one did. */
  readonly decidedBy?: TierRuleRef;
  /** Admin rules that matched first and passed the flow on to the namespaced policies. */
  readonly passedBy: readonly TierRuleRef[];
  /** Rules with domain names, met before the decision, that would allow the flow if the address were the name's. */
  readonly dependsOnDNS: readonly TierRuleRef[];
}

export interface Verdict {
  readonly flow: Flow;
  readonly allowed: boolean;
  /** Set when the flow never reaches policy: a pod talking to itself. */
  readonly self: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
}

/** Decides one flow: the source's egress and the destination's ingress must both allow it. */
export function decide(cluster: Cluster, flow: Flow, options: EngineOptions = defaultEngineOptions): Verdict {
  if (isSelf(flow)) {
    const open = (direction: Direction): DirectionVerdict => verdictOf(direction, true, 'not-isolated');
    return { flow, allowed: true, self: true, egress: open('egress'), ingress: open('ingress') };
  }
  const egress = decideDirection(cluster, flow, 'egress', options);
  const ingress = decideDirection(cluster, flow, 'ingress', options);
  return { flow, allowed: egress.allowed && ingress.allowed, self: false, egress, ingress };
}

function decideDirection(cluster: Cluster, flow: Flow, direction: Direction, options: EngineOptions): DirectionVerdict {
  const [local, remote] = direction === 'egress' ? [flow.src, flow.dst] : [flow.dst, flow.src];
  if (local.kind === 'external') return verdictOf(direction, true, 'not-an-endpoint');
  if (local.endpoint.hostNetwork) return verdictOf(direction, true, 'host-network');
  const wanted = ConnSet.port(flow.protocol, flow.port);
  return verdictFrom(direction, evaluateDirection(cluster, local.endpoint, remote, direction, options, wanted));
}

const verdictOf = (
  direction: Direction,
  allowed: boolean,
  reason: DirectionReason,
  more: Partial<DirectionVerdict> = {},
): DirectionVerdict => ({
  direction,
  allowed,
  reason,
  isolatedBy: [],
  allowedBy: [],
  passedBy: [],
  dependsOnDNS: [],
  ...more,
});

/** One flow's outcome as a verdict: the step that decided it, and the passes and DNS notes on the way there. */
function verdictFrom(direction: Direction, outcome: DirectionOutcome): DirectionVerdict {
  const tierRule = (step: {
    tier: 'admin' | 'baseline';
    policy: { priority: number };
    rule: { action: Action; ref: RuleRef };
  }) => ({
    tier: step.tier,
    priority: step.policy.priority,
    action: step.rule.action,
    rule: step.rule.ref,
  });
  const passedBy = outcome.steps.flatMap((s) => (s.tier === 'admin' && s.rule.action === 'pass' ? [tierRule(s)] : []));
  const dependsOnDNS = outcome.domainNotes.map((n) => ({
    ...tierRule({ tier: n.policy.tier === 'admin' ? 'admin' : 'baseline', policy: n.policy, rule: n.rule }),
    domains: n.rule.peers === 'any' ? [] : n.rule.peers.flatMap((p) => (p.kind === 'domains' ? p.names : [])),
  }));
  const allowed = !outcome.allowed.isEmpty();
  const decision = outcome.steps.find((s) => !(s.tier === 'admin' && s.rule.action === 'pass'));
  const more = { passedBy, dependsOnDNS };
  if (decision === undefined || decision.tier === 'default') {
    return verdictOf(direction, allowed, decision?.localNode ? 'local-node' : 'not-isolated', more);
  }
  if (decision.tier === 'namespaced') {
    const isolatedBy = decision.isolatedBy.map((p) => p.ref);
    if (decision.localNode) return verdictOf(direction, allowed, 'local-node', more);
    const allowedBy = decision.allowedBy.map((a) => a.rule.ref);
    const reason = allowedBy.length > 0 ? 'allowed-by-rule' : 'no-rule-allows';
    return verdictOf(direction, allowed, reason, { ...more, isolatedBy, allowedBy });
  }
  return verdictOf(direction, allowed, 'tier-rule', { ...more, decidedBy: tierRule(decision) });
}

/**
 * A pod talking to itself: the same endpoint, or an endpoint and its own address. Two endpoints that share an
 * address (pods in their node's network, taken as pods) are two pods, and policy decides between them.
 */
function isSelf(flow: Flow): boolean {
  const { src, dst } = flow;
  if (src.kind === 'endpoint' && dst.kind === 'endpoint') return src.endpoint === dst.endpoint;
  return src.ip !== undefined && dst.ip !== undefined && addressKey(src.ip) === addressKey(dst.ip);
}
