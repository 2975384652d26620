import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateAdminPolicies } from '../bench/admin-policies.js';
import { generateCluster } from '../bench/generate.js';
import { endpointFlow } from '../src/engine/flow.js';
import { type DirectionVerdict, decide } from '../src/engine/verdict.js';
import { buildCluster } from '../src/policy/cluster.js';
import { objectFromData } from '../src/resources/source.js';
import { validateObjects } from '../src/validate/validate.js';

// The dataplane bench's admin policies (bench/admin-policies.ts) over a small cluster of the bench's shape: 100
// namespaces `team-<i>` (team `t<i % 50>`, env prod, staging, dev in turn), ten pods each: frontend, api, worker,
// cache, db, search, auth, queue in v1, then frontend and api in v2. No NetworkPolicies: what a Pass hands on, the
// default allows.
const admin = generateAdminPolicies(100);
const cluster = buildCluster(
  [...generateCluster({ pods: 1000, policies: 0, namespaces: 100 }), ...admin].map((o) => objectFromData(o)),
);
const pod = (namespace: string, app: string) => {
  const found = [...cluster.endpointById.values()].find(
    (e) => e.namespace === namespace && e.labels['app'] === app && e.labels['version'] === 'v1',
  );
  assert.ok(found, `no ${app} pod in ${namespace}`);
  return found;
};
const tcp = (from: [string, string], to: [string, string], port: number) =>
  decide(cluster, endpointFlow(pod(...from), pod(...to), 'TCP', port));
/** The admin rule that decided a direction, or passed it on, as `policy rule-name action`. */
const decidedBy = (side: DirectionVerdict): string | undefined =>
  side.decidedBy && `${side.decidedBy.rule.policy.name} ${side.decidedBy.rule.name} ${side.decidedBy.action}`;
const passedBy = (side: DirectionVerdict): string[] =>
  side.passedBy.map((r) => `${r.rule.policy.name} ${r.rule.name} ${r.action}`);

describe('the dataplane bench admin policies', () => {
  it('are 100 AdminNetworkPolicies the API server accepts, each at a priority of its own', () => {
    assert.equal(admin.length, 100);
    assert.deepEqual(validateObjects(admin.map((o) => objectFromData(o))), []);
    const priorities = admin.map((o) => (o['spec'] as { priority: number }).priority);
    assert.equal(new Set(priorities).size, 100);
    assert.equal(new Set(admin.map((o) => (o['metadata'] as { name: string }).name)).size, 100);
  });

  it("pass a team's own traffic on both sides, as the bench's connection (team-99 is t49, prod)", () => {
    const verdict = tcp(['team-99', 'frontend'], ['team-99', 'api'], 8080);
    assert.equal(verdict.allowed, true);
    assert.deepEqual(passedBy(verdict.egress), ['tenant-t49 same-tenant pass']);
    assert.deepEqual(passedBy(verdict.ingress), ['tenant-t49 same-tenant pass']);
  });

  it('deny another tenant on both sides', () => {
    const verdict = tcp(['team-0', 'frontend'], ['team-99', 'api'], 8080);
    assert.equal(verdict.allowed, false);
    assert.equal(decidedBy(verdict.egress), 'tenant-t0 other-tenants deny');
    assert.equal(decidedBy(verdict.ingress), 'tenant-t49 other-tenants deny');
  });

  it("keep staging off prod's api by named port, before the tenant's pass (team-49 is t49, staging)", () => {
    // api's container port `http` is 8080: the rule names it, not the number.
    const verdict = tcp(['team-49', 'frontend'], ['team-99', 'api'], 8080);
    assert.equal(verdict.allowed, false);
    assert.equal(decidedBy(verdict.egress), 'deny-staging-to-prod-api no-prod-api deny');
    // Its other ports are the tenant's to pass: 9090 is api's metrics port.
    assert.equal(tcp(['team-49', 'frontend'], ['team-99', 'api'], 9090).allowed, true);
  });

  it('keep the web tier off a data store inside one tenant, and SSH off every pod', () => {
    const db = tcp(['team-99', 'frontend'], ['team-99', 'db'], 5432);
    assert.equal(db.allowed, false);
    assert.deepEqual(passedBy(db.egress), ['tenant-t49 same-tenant pass']);
    assert.equal(decidedBy(db.ingress), 'deny-web-to-db no-web-tier deny');
    const ssh = tcp(['team-99', 'api'], ['team-99', 'worker'], 22);
    assert.equal(ssh.allowed, false);
    assert.equal(decidedBy(ssh.ingress), 'deny-ssh no-ssh deny');
  });
});
