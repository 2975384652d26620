// The code samples of the cdk8s-plus network-policy documentation (shared/seeds/004), run unchanged but for the
// import, and for the doc's own errata: `NetworkPolicyIpBlock.ipv4(scope, id, cidr)` takes a scope and an id,
// `ingress: { rules }` (not `rule`), and `addIngressRule` is called on the policy (not on `redis`, which does not
// exist, nor on a pod). Each sample is a function of `kplus` so that cdk8s-plus-33 can run the very same code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as k from 'cdk8s';
import { Names } from 'cdk8s';
import * as cdk8sPlus from 'cdk8s-plus-33';
import * as kplus from 'netpol/cdk8s';
import { type Library, assertValid, byKind, canonical, objectsOf } from './testing/synth.js';

type Kplus = typeof kplus;
const ADDR = 'cdk8s.io/metadata.addr';
const NAME = 'kubernetes.io/metadata.name';
const addr = (c: k.ApiObject | import('constructs').Construct) => ({ matchLabels: { [ADDR]: Names.toLabelValue(c) } });
const POLICY_NAME = /^chart-[a-z0-9-]+-[0-9a-f]{8}$/;

/** Runs a sample with netpol and with cdk8s-plus-33; the objects must be the same, and valid. */
function runBoth<T extends { app: k.App }>(sample: (lib: Kplus) => T): { ours: T; objects: any[] } {
  const ours = sample(kplus);
  const theirs = sample(cdk8sPlus as unknown as Kplus);
  const objects = objectsOf(ours.app);
  assert.deepEqual(canonical(objects), canonical(objectsOf(theirs.app)), 'same objects as cdk8s-plus-33');
  assertValid(objects);
  return { ours, objects };
}

const policies = (objects: any[]) => byKind(objects, 'NetworkPolicy') as any[];

function managedPod(kplus: Kplus) {
  const app = new k.App();
  const chart = new k.Chart(app, 'Chart');
  const web = new kplus.Pod(chart, 'Web', {
    containers: [{ image: 'web' }],
  });
  new kplus.NetworkPolicy(chart, 'Policy', { selector: web });
  return { app, web };
}

function managedWorkload(kplus: Kplus) {
  const app = new k.App();
  const chart = new k.Chart(app, 'Chart');
  const web = new kplus.Deployment(chart, 'Web', {
    containers: [{ image: 'web' }],
  });
  new kplus.NetworkPolicy(chart, 'Policy', { selector: web });
  return { app, web };
}

function selectedPods(kplus: Kplus) {
  const app = new k.App();
  const chart = new k.Chart(app, 'Chart');
  const web = kplus.Pods.select(chart, 'Web', { labels: { app: 'web' } });
  new kplus.NetworkPolicy(chart, 'Policy', { selector: web });
  return { app };
}

function ipBlocks(kplus: Kplus) {
  // Erratum: the doc calls these without scope and id, which the real API takes (and the blocks need a chart).
  const app = new k.App();
  const chart = new k.Chart(app, 'Chart');
  // define a specific ipv4 range
  const v4 = kplus.NetworkPolicyIpBlock.ipv4(chart, 'V4', '172.17.0.0/16');
  // define a specific ipv6 range
  const v6 = kplus.NetworkPolicyIpBlock.ipv6(chart, 'V6', '2002::1234:abcd:ffff:c0a8:101/64');
  // define all ipv4 addresses
  const anyV4 = kplus.NetworkPolicyIpBlock.anyIpv4(chart, 'AnyV4');
  // define all ipv6 addresses
  const anyV6 = kplus.NetworkPolicyIpBlock.anyIpv6(chart, 'AnyV6');
  return { app, chart, blocks: [v4, v6, anyV4, anyV6] };
}

function egressRule(kplus: Kplus) {
  const app = new k.App();
  const chart = new k.Chart(app, 'Chart');
  const web = new kplus.Pod(chart, 'Web', {
    containers: [{ image: 'web' }],
  });
  const cache = new kplus.Pod(chart, 'Cache', {
    containers: [{ image: 'cache', portNumber: 6379 }],
  });
  const db = new kplus.Pod(chart, 'DB', {
    containers: [{ image: 'db', portNumber: 6378 }],
  });
  // create a policy with an egress rule at instantiation
  const webPolicy = new kplus.NetworkPolicy(chart, 'Policy', {
    selector: web,
    egress: { rules: [{ peer: cache, ports: [kplus.NetworkPolicyPort.tcp(6379)] }] },
  });
  // add an egress rule post instantiation
  webPolicy.addEgressRule(db, [kplus.NetworkPolicyPort.tcp(6378)]);
  return { app, web, cache, db };
}

function ingressRule(kplus: Kplus) {
  const app = new k.App();
  const chart = new k.Chart(app, 'Chart');
  const web = new kplus.Pod(chart, 'Web', {
    containers: [{ image: 'web' }],
  });
  const cache = new kplus.Pod(chart, 'Cache', {
    containers: [{ image: 'cache', portNumber: 6379 }],
  });
  const db = new kplus.Pod(chart, 'DB', {
    containers: [{ image: 'db', portNumber: 6378 }],
  });
  // create a policy with an ingress rule at instantiation
  const dbPolicy = new kplus.NetworkPolicy(chart, 'Policy', {
    selector: db,
    ingress: { rules: [{ peer: web, ports: [kplus.NetworkPolicyPort.tcp(6379)] }] }, // erratum: `rule`
  });
  // add an ingress rule post instantiation
  dbPolicy.addIngressRule(cache, [kplus.NetworkPolicyPort.tcp(6379)]); // erratum: `redis.addIngressRule`
  return { app, web, cache, db };
}

function bidirectionalPolicies(kplus: Kplus) {
  const app = new k.App();
  const chart = new k.Chart(app, 'Chart');
  const web = new kplus.Pod(chart, 'Web', {
    containers: [{ image: 'web' }],
    metadata: { namespace: 'n1' },
  });
  const redis = new kplus.Pod(chart, 'Redis', {
    containers: [{ image: 'redis', portNumber: 6379 }],
    metadata: { namespace: 'n2' },
  });
  const webPolicy = new kplus.NetworkPolicy(chart, 'WebPolicy', {
    selector: web,
    // must be created in the 'web' namespace so it can select it.
    metadata: { namespace: web.metadata.namespace },
  });
  const redisPolicy = new kplus.NetworkPolicy(chart, 'RedisPolicy', {
    selector: redis,
    // must be created in the 'redis' namespace so it can select it.
    metadata: { namespace: redis.metadata.namespace },
  });
  // allow the 'web' pod to initiate a connection to the 'redis' pod on port 6379
  webPolicy.addEgressRule(redis, [kplus.NetworkPolicyPort.tcp(6379)]);
  // allow the 'redis' pod to accept a connection from the 'web' pod on port 6379
  redisPolicy.addIngressRule(web, [kplus.NetworkPolicyPort.tcp(6379)]); // erratum: `redis.addIngressRule`
  return { app, web, redis };
}

function connections(kplus: Kplus) {
  const app = new k.App();
  const chart = new k.Chart(app, 'Chart');
  const web = new kplus.Pod(chart, 'Web', {
    containers: [{ image: 'web' }],
    metadata: { namespace: 'n1' },
  });
  const redis = new kplus.Pod(chart, 'Redis', {
    containers: [{ image: 'redis', portNumber: 6379 }],
    metadata: { namespace: 'n2' },
  });
  web.connections.allowTo(redis);
  // or
  redis.connections.allowFrom(web);
  return { app, web, redis };
}

function defaultPolicy(direction: 'ingress' | 'egress', behaviour: 'DENY' | 'ALLOW') {
  return (kplus: Kplus) => {
    const app = new k.App();
    const chart = new k.Chart(app, 'Chart');
    new kplus.NetworkPolicy(chart, 'Policy', {
      [direction]: { default: kplus.NetworkPolicyTrafficDefault[behaviour] },
    });
    return { app };
  };
}

describe('the seed samples (docs/plus/network-policy.md), unchanged but for the import and the errata', () => {
  it('Managed Pod: the policy selects the pod by its address label, the one the pod carries', () => {
    const { ours, objects } = runBoth(managedPod);
    const [pod] = byKind(objects, 'Pod') as any[];
    const [policy] = policies(objects);
    assert.deepEqual(pod.metadata.labels, { [ADDR]: Names.toLabelValue(ours.web) });
    assert.match(policy.metadata.name, POLICY_NAME);
    assert.deepEqual(policy.spec, { podSelector: addr(ours.web) });
    // No policyTypes and no rules: the API server defaults policyTypes to [Ingress], isolating the pod for ingress.
    const analysis = kplus.analyse(ours.app);
    assert.equal(analysis.check('198.51.100.7', ours.web, 80).allowed, false);
    assert.equal(analysis.check(ours.web, '198.51.100.7', 80).allowed, true);
  });

  it('Managed Workload: the policy selects the Deployment pod template by its address label', () => {
    const { ours, objects } = runBoth(managedWorkload);
    const [deployment] = byKind(objects, 'Deployment') as any[];
    const [policy] = policies(objects);
    assert.deepEqual(deployment.spec.template.metadata.labels, { [ADDR]: Names.toLabelValue(ours.web) });
    assert.deepEqual(deployment.spec.selector, addr(ours.web));
    assert.deepEqual(policy.spec, { podSelector: addr(ours.web) });
  });

  it('Selected Pods: the policy selects app=web, and nothing else is synthesised', () => {
    const { objects } = runBoth(selectedPods);
    assert.equal(objects.length, 1);
    assert.deepEqual(policies(objects)[0].spec, { podSelector: { matchLabels: { app: 'web' } } });
  });

  it('Ip Block: ipv4, ipv6, anyIpv4, anyIpv6 hold their CIDRs and are peers by ipBlock', () => {
    const { blocks, chart } = ipBlocks(kplus);
    assert.deepEqual(
      blocks.map((b) => b.cidr),
      ['172.17.0.0/16', '2002::1234:abcd:ffff:c0a8:101/64', '0.0.0.0/0', '::/0'],
    );
    const policy = new kplus.NetworkPolicy(chart, 'Policy', {});
    policy.addEgressRule(blocks);
    assert.deepEqual((chart.toJson()[0] as any).spec.egress, [
      {
        ports: [],
        to: [
          { ipBlock: { cidr: '172.17.0.0/16' } },
          { ipBlock: { cidr: '2002::1234:abcd:ffff:c0a8:101/64' } },
          { ipBlock: { cidr: '0.0.0.0/0' } },
          { ipBlock: { cidr: '::/0' } },
        ],
      },
    ]);
    assert.doesNotThrow(() => ipBlocks(cdk8sPlus as unknown as Kplus));
  });

  it('Egress Rule: one rule at instantiation, one added after, in that order', () => {
    const { ours, objects } = runBoth(egressRule);
    assert.equal(byKind(objects, 'Pod').length, 3);
    assert.deepEqual(policies(objects)[0].spec, {
      podSelector: addr(ours.web),
      egress: [
        { ports: [{ port: 6379, protocol: 'TCP' }], to: [{ podSelector: addr(ours.cache) }] },
        { ports: [{ port: 6378, protocol: 'TCP' }], to: [{ podSelector: addr(ours.db) }] },
      ],
      policyTypes: ['Egress'],
    });
    const analysis = kplus.analyse(ours.app);
    analysis.expectAllowed(ours.web, ours.cache, 6379);
    analysis.expectAllowed(ours.web, ours.db, 6378);
    analysis.expectDenied(ours.web, ours.db, 6379);
  });

  it('Ingress Rule: one rule at instantiation, one added after, both on 6379 as the doc writes them', () => {
    const { ours, objects } = runBoth(ingressRule);
    assert.deepEqual(policies(objects)[0].spec, {
      podSelector: addr(ours.db),
      ingress: [
        { from: [{ podSelector: addr(ours.web) }], ports: [{ port: 6379, protocol: 'TCP' }] },
        { from: [{ podSelector: addr(ours.cache) }], ports: [{ port: 6379, protocol: 'TCP' }] },
      ],
      policyTypes: ['Ingress'],
    });
    // The doc's rules open 6379 while db listens on 6378: the analysis says so.
    const analysis = kplus.analyse(ours.app);
    analysis.expectDenied(ours.web, ours.db, 6378);
    analysis.expectAllowed(ours.web, ours.db, 6379);
  });

  it('Ingress Rule as printed (`ingress: { rule: [...] }`) is refused, not silently left without its rules', () => {
    const app = new k.App();
    const chart = new k.Chart(app, 'Chart');
    const db = new kplus.Pod(chart, 'DB', { containers: [{ image: 'db', portNumber: 6378 }] });
    const web = new kplus.Pod(chart, 'Web', { containers: [{ image: 'web' }] });
    const misprint = { rule: [{ peer: web, ports: [kplus.NetworkPolicyPort.tcp(6379)] }] };
    assert.throws(
      () => new kplus.NetworkPolicy(chart, 'Policy', { selector: db, ingress: misprint as kplus.NetworkPolicyTraffic }),
      { message: "netpol/cdk8s: ingress traffic prop 'rule' not supported (supported: default, rules)" },
    );
  });

  it('Bi-directional Rule: a policy in each namespace, each peer qualified by the other namespace', () => {
    const { ours, objects } = runBoth(bidirectionalPolicies);
    const [webPolicy, redisPolicy] = policies(objects);
    assert.equal(webPolicy.metadata.namespace, 'n1');
    assert.deepEqual(webPolicy.spec, {
      podSelector: addr(ours.web),
      egress: [
        {
          ports: [{ port: 6379, protocol: 'TCP' }],
          to: [{ namespaceSelector: { matchLabels: { [NAME]: 'n2' } }, podSelector: addr(ours.redis) }],
        },
      ],
      policyTypes: ['Egress'],
    });
    assert.equal(redisPolicy.metadata.namespace, 'n2');
    assert.deepEqual(redisPolicy.spec, {
      podSelector: addr(ours.redis),
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { [NAME]: 'n1' } }, podSelector: addr(ours.web) }],
          ports: [{ port: 6379, protocol: 'TCP' }],
        },
      ],
      policyTypes: ['Ingress'],
    });
    const analysis = kplus.analyse(ours.app);
    analysis.expectAllowed(ours.web, ours.redis, 6379);
    analysis.expectDenied(ours.web, ours.redis, 6380);
    // Nothing isolates redis's egress or web's ingress: the policies say nothing about the reverse direction.
    analysis.expectAllowed(ours.redis, ours.web, 80);
  });

  it('connections.allowTo / allowFrom: both sides get their policy, on the ports redis listens on', () => {
    const { ours, objects } = runBoth(connections);
    const specs = policies(objects).map((p) => ({ namespace: p.metadata.namespace, spec: p.spec }));
    const webToRedis = {
      ports: [{ port: 6379, protocol: 'TCP' }],
      to: [{ namespaceSelector: { matchLabels: { [NAME]: 'n2' } }, podSelector: addr(ours.redis) }],
    };
    const redisFromWeb = {
      from: [{ namespaceSelector: { matchLabels: { [NAME]: 'n1' } }, podSelector: addr(ours.web) }],
      ports: [{ port: 6379, protocol: 'TCP' }],
    };
    const egress = {
      namespace: 'n1',
      spec: { podSelector: addr(ours.web), egress: [webToRedis], policyTypes: ['Egress'] },
    };
    const ingress = {
      namespace: 'n2',
      spec: { podSelector: addr(ours.redis), ingress: [redisFromWeb], policyTypes: ['Ingress'] },
    };
    // allowTo: web's egress, then redis's ingress; allowFrom: redis's ingress, then web's egress.
    assert.deepEqual(specs, [egress, ingress, ingress, egress]);
    kplus.analyse(ours.app).expectAllowed(ours.web, ours.redis, 6379);
  });

  for (const [direction, behaviour, spec] of [
    ['ingress', 'DENY', { podSelector: {}, policyTypes: ['Ingress'] }],
    ['ingress', 'ALLOW', { ingress: [{}], podSelector: {}, policyTypes: ['Ingress'] }],
    ['egress', 'DENY', { podSelector: {}, policyTypes: ['Egress'] }],
    ['egress', 'ALLOW', { egress: [{}], podSelector: {}, policyTypes: ['Egress'] }],
  ] as const) {
    const which = `${behaviour === 'DENY' ? 'Deny' : 'Allow'} All ${direction === 'ingress' ? 'Ingress' : 'Egress'}`;
    it(`Default Policies: ${which}`, () => {
      const { objects } = runBoth(defaultPolicy(direction, behaviour));
      assert.equal(objects.length, 1);
      assert.deepEqual(policies(objects)[0].spec, spec);
      assert.equal(policies(objects)[0].metadata.namespace, undefined);
    });
  }
});

// Keeps the Library type honest: cdk8s-plus-33 and netpol/cdk8s are both runnable by the samples.
export const libraries: readonly Library[] = [kplus, cdk8sPlus];
