import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './support/cli.js';

/** Two namespaces of pods, and whatever policies a test adds. */
const PODS = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {nodeName: n1, containers: [{name: c, ports: [{name: http, containerPort: 80}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: tool, namespace: ops, labels: {app: tool}}
spec: {nodeName: n1, containers: [{name: c}]}
status: {podIP: 10.0.0.2}
`;

const anp = (name: string, priority: number, ingress: string): string => `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: ${name}}
spec:
  priority: ${priority}
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  ingress:
${ingress}`;

/** The lint lines with these codes, as `line code: message`. */
async function findings(text: string, codes: readonly string[]): Promise<string[]> {
  const run = await runCli(['lint', '-', '-o', 'json', '--fail-on', 'error'], text);
  const all = JSON.parse(run.stdout) as { code: string; location: { line: number }; message: string }[];
  return all.filter((f) => codes.includes(f.code)).map((f) => `${f.location.line} ${f.code}: ${f.message}`);
}

describe('lint, the cluster-wide tiers', () => {
  it('finds a rule that an earlier rule of a higher tier takes every connection of', async () => {
    const denyAll = '  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}\n';
    const allowOpsHttp =
      '  - {name: allow-ops-http, action: Allow, ' +
      'from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: ops}}}], ' +
      'ports: [{portNumber: {protocol: TCP, port: 80}}]}\n';
    const text = PODS + anp('lockdown', 10, denyAll + allowOpsHttp);
    // PODS is lines 1-11; the policy starts at 12, its rules are lines 20 and 21.
    assert.deepEqual(await findings(text, ['tier-rule-shadowed']), [
      '21 tier-rule-shadowed: lockdown ingress[1] allow-ops-http of AdminNetworkPolicy lockdown is never reached: ' +
        'every connection it matches is decided first by lockdown ingress[0] deny-all (<stdin>:20)',
    ]);
    const reordered = PODS + anp('lockdown', 10, allowOpsHttp + denyAll);
    assert.deepEqual(await findings(reordered, ['tier-rule-shadowed']), []);
  });

  it('finds a pass with nothing below it to decide, and none when a NetworkPolicy decides', async () => {
    const pass = anp('delegate', 5, `  - {name: to-teams, action: Pass, from: [{namespaces: {}}]}\n`);
    assert.deepEqual(await findings(PODS + pass, ['pass-to-nothing']), [
      '20 pass-to-nothing: delegate ingress[0] to-teams of AdminNetworkPolicy delegate passes to nothing: no ' +
        'NetworkPolicy isolates the pods it passes and no baseline rule matches them, so the default allows ' +
        'what it passes',
    ]);
    const decided = `${PODS}${pass}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}
`;
    assert.deepEqual(await findings(decided, ['pass-to-nothing']), []);
  });

  it('finds a Pass in the baseline tier of a ClusterNetworkPolicy: the default is all there is below it', async () => {
    const text = `${PODS}---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: floor}
spec:
  tier: Baseline
  priority: 3
  subject: {namespaces: {}}
  ingress: [{name: hand-over, action: Pass, from: [{namespaces: {}}]}]
`;
    assert.deepEqual(await findings(text, ['pass-to-nothing']), [
      '20 pass-to-nothing: floor ingress[0] hand-over of ClusterNetworkPolicy floor passes to nothing: below the ' +
        'baseline tier there is only the default, so the default allows what it passes',
    ]);
  });

  it('finds equal priorities over a pod in common, which upstream leaves unordered', async () => {
    const text =
      PODS +
      anp('alpha', 7, `  - {name: a, action: Allow, from: [{namespaces: {}}]}\n`) +
      anp('beta', 7, `  - {name: b, action: Deny, from: [{namespaces: {}}]}\n`);
    assert.deepEqual(await findings(text, ['priority-tie']), [
      '22 priority-tie: AdminNetworkPolicy beta has the priority 7 of AdminNetworkPolicy alpha (<stdin>:13), and ' +
        'both select shop/web: upstream leaves the order of equal priorities to implementations; netpol walks ' +
        'alpha first, by name',
    ]);
  });

  it('leaves equal priorities alone when one has only ingress rules and the other only egress rules', async () => {
    const egressOnly = `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: beta}
spec:
  priority: 7
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
  - {name: b, action: Deny, to: [{namespaces: {}}]}
`;
    const text = PODS + anp('alpha', 7, `  - {name: a, action: Allow, from: [{namespaces: {}}]}\n`) + egressOnly;
    assert.deepEqual(await findings(text, ['priority-tie']), []);
  });

  it("says nothing of a tier's networks peer over pod addresses, which the API says networks match", async () => {
    const networks = `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: wide}
spec:
  priority: 5
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
  - {name: everything, action: Allow, to: [{networks: [0.0.0.0/0]}]}
`;
    assert.deepEqual(await findings(PODS + networks, ['ipblock-covers-pods']), []);
    const ipBlock = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: wide, namespace: shop}
spec: {podSelector: {}, egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}
`;
    assert.equal((await findings(PODS + ipBlock, ['ipblock-covers-pods'])).length, 1, 'the NetworkPolicy one is');
  });

  it('finds a cluster-wide policy whose subject selects no pod', async () => {
    const text =
      PODS +
      anp('nobody', 1, `  - {name: a, action: Deny, from: [{namespaces: {}}]}\n`).replace(
        'kubernetes.io/metadata.name: shop',
        'kubernetes.io/metadata.name: nowhere',
      );
    assert.deepEqual(await findings(text, ['policy-selects-nothing']), [
      '18 policy-selects-nothing: AdminNetworkPolicy nobody selects no pod: its subject matches none of the ' +
        "input's pods",
    ]);
  });
});
