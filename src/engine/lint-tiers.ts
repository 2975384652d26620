import { ConnSet } from '../algebra/connset.js';
import type { Cluster } from '../policy/cluster.js';
import type { Endpoint } from '../model/endpoints.js';
import { formatLocation } from '../util/location.js';
import {
  type EngineOptions,
  type FlowPeer,
  type Step,
  appliedPolicies,
  combine,
  directView,
  selects,
} from '../policy/evaluate.js';
import { type Direction, type Policy, type Rule, policyName, ruleName } from '../policy/ir.js';
import { AddressCells } from './ranges.js';
import { identitiesOf } from './identities.js';
import type { Finding } from './lint.js';

/**
 * The mistakes of the cluster-wide tiers, found by walking them as the evaluator does, for every endpoint
 * they select and every remote there is (each identity, each external range): rules that nothing reaches,
 * passes that hand over to nothing, and equal priorities whose order upstream leaves undefined.
 */
export function tierFindings(cluster: Cluster, options: EngineOptions): Finding[] {
  const tiered = [...cluster.tiers.admin, ...cluster.tiers.baseline];
  if (tiered.length === 0) return [];
  return [...selectingNothing(cluster, tiered), ...priorityTies(cluster), ...walkFindings(cluster, options)];
}

const finding = (severity: Finding['severity'], code: string, at: Finding['location'], message: string, fix: string) =>
  ({ severity, code, location: at, message, fix }) satisfies Finding;

const describe = (p: Policy): string => `${p.ref.kind} ${policyName(p.ref)}`;

function selectingNothing(cluster: Cluster, policies: readonly Policy[]): Finding[] {
  return policies
    .filter((p) => !cluster.endpoints.some((e) => selects(cluster, p, e)))
    .map((p) =>
      finding(
        cluster.endpoints.length > 0 ? 'warning' : 'info',
        'policy-selects-nothing',
        p.subject.origin ?? p.ref.origin,
        `${describe(p)} selects no pod: its subject matches none of the input's pods`,
        "make spec.subject match the namespaces' and pods' labels it is meant for, or delete the policy",
      ),
    );
}

/**
 * Policies of one tier at one priority that select a pod in common, with rules for one direction: upstream leaves
 * their order undefined.
 */
function priorityTies(cluster: Cluster): Finding[] {
  const findings: Finding[] = [];
  for (const tier of [cluster.tiers.admin, cluster.tiers.baseline]) {
    for (let i = 0; i < tier.length; i++) {
      for (let j = i + 1; j < tier.length && tier[j]!.priority === tier[i]!.priority; j++) {
        const [first, second] = [tier[i]!, tier[j]!];
        // Their order matters only where both have rules for one direction: ingress rules never meet egress ones.
        const meet = (['ingress', 'egress'] as const).some(
          (d) => (first[d]?.length ?? 0) > 0 && (second[d]?.length ?? 0) > 0,
        );
        if (!meet) continue;
        const shared = cluster.endpoints.find((e) => selects(cluster, first, e) && selects(cluster, second, e));
        if (shared === undefined) continue;
        findings.push(
          finding(
            'warning',
            'priority-tie',
            second.ref.origin,
            `${describe(second)} has the priority ${second.priority} of ${describe(first)} ` +
              `(${formatLocation(first.ref.origin)}), and both select ${shared.id}: upstream leaves the order of ` +
              `equal priorities to implementations; netpol walks ${policyName(first.ref)} first, by name`,
            'give the two policies different priorities, in the order they are meant to be walked',
          ),
        );
      }
    }
  }
  return findings;
}

interface RuleUse {
  /** Some remote's connections reach the rule and it matches them. */
  decided: boolean;
  /** The rule matches some remote, reached or not; and the first rule seen to take its connections first. */
  matched: boolean;
  shadowedBy?: Rule;
  /** For a pass: whether what it passed on was ever decided by a policy below it rather than the default. */
  passedToPolicy: boolean;
}

function walkFindings(cluster: Cluster, options: EngineOptions): Finding[] {
  const uses = new Map<Rule, RuleUse>();
  const use = (rule: Rule): RuleUse => {
    let u = uses.get(rule);
    if (u === undefined) uses.set(rule, (u = { decided: false, matched: false, passedToPolicy: false }));
    return u;
  };
  const cells = AddressCells.of(cluster.policies, ['ingress', 'egress']);
  const remotes: FlowPeer[] = [
    ...identitiesOf(cluster, cells).map((i): FlowPeer => ({ kind: 'endpoint', endpoint: i.representative, ip: i.ip })),
    ...cells.ranges().map((r): FlowPeer => ({ kind: 'external', ip: { family: r.family, value: r.first } })),
  ];
  const locals = identitiesOf(cluster, cells).map((i) => i.representative);
  for (const direction of ['ingress', 'egress'] as const) {
    for (const local of locals) {
      const applied = appliedPolicies(cluster, local, direction);
      const tierRules = [...applied.admin, ...applied.baseline].flatMap((p) => p[direction] ?? []);
      if (tierRules.length === 0) continue;
      for (const remote of remotes) {
        if (remote.kind === 'endpoint' && remote.endpoint === local) continue;
        record(cluster, local, remote, direction, options, tierRules, use);
      }
    }
  }
  const findings: Finding[] = [];
  for (const policy of [...cluster.tiers.admin, ...cluster.tiers.baseline]) {
    for (const direction of ['ingress', 'egress'] as const) {
      for (const rule of policy[direction] ?? []) {
        const u = uses.get(rule);
        if (u === undefined) continue;
        if (u.matched && !u.decided && u.shadowedBy !== undefined) findings.push(shadowed(policy, rule, u.shadowedBy));
        if (rule.action === 'pass' && u.decided && !u.passedToPolicy) findings.push(passToNothing(policy, rule));
      }
    }
  }
  return findings;
}

/** Walks one local endpoint and one remote, and notes which rules decided, matched, or passed on to what. */
function record(
  cluster: Cluster,
  local: Endpoint,
  remote: FlowPeer,
  direction: Direction,
  options: EngineOptions,
  tierRules: readonly Rule[],
  use: (rule: Rule) => RuleUse,
): void {
  const view = directView(cluster, local, remote, direction, options);
  const outcome = combine(appliedPolicies(cluster, local, direction), direction, view);
  const ruleSteps = outcome.steps.filter((s): s is Extract<Step, { rule: Rule }> => 'rule' in s);
  for (const step of ruleSteps) use(step.rule).decided = true;
  for (const rule of tierRules) {
    const matched = view.ruleConns(rule);
    if (matched.isEmpty()) continue;
    const u = use(rule);
    u.matched = true;
    u.shadowedBy ??= ruleSteps.find((s) => s.rule !== rule && !s.conns.intersect(matched).isEmpty())?.rule;
  }
  // A pass hands its connections on: to a namespaced policy or a baseline rule, or to the default alone.
  const passes = ruleSteps.filter((s) => s.rule.action === 'pass');
  if (passes.length === 0) return;
  const below = outcome.steps.filter(
    (s) => s.tier === 'namespaced' || (s.tier === 'baseline' && s.rule.action !== 'pass'),
  );
  for (const pass of passes) {
    const handed = below.reduce((conns, s) => conns.union(s.conns.intersect(pass.conns)), ConnSet.none);
    if (!handed.isEmpty() && pass.tier === 'admin') use(pass.rule).passedToPolicy = true;
  }
}

function shadowed(policy: Policy, rule: Rule, by: Rule): Finding {
  return finding(
    'warning',
    'tier-rule-shadowed',
    rule.ref.origin,
    `${ruleName(rule.ref)} of ${describe(policy)} is never reached: every connection it matches is decided first ` +
      `by ${ruleName(by.ref)} (${formatLocation(by.ref.origin)})`,
    'move the rule before the one that takes its connections, narrow that one, or delete this rule',
  );
}

function passToNothing(policy: Policy, rule: Rule): Finding {
  const below =
    policy.tier === 'admin'
      ? 'no NetworkPolicy isolates the pods it passes and no baseline rule matches them'
      : 'below the baseline tier there is only the default';
  return finding(
    'warning',
    'pass-to-nothing',
    rule.ref.origin,
    `${ruleName(rule.ref)} of ${describe(policy)} passes to nothing: ${below}, so the default allows what it passes`,
    'write Allow (Accept) if that is meant, or add the NetworkPolicy or baseline rule that should decide',
  );
}
