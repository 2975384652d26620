import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowed, clusterFrom, netpol, pod, verdictOf } from '../testing/fixtures.js';
import { defaultEngineOptions } from '../policy/evaluate.js';

const web = pod('app', 'web', { app: 'web' }, { ip: '10.0.0.10', node: 'n1', ports: ['http:8080', 'dns:53/UDP'] });
const api = pod('app', 'api', { app: 'api' }, { ip: '10.0.0.11', node: 'n1', ports: ['http:9090'] });
const client = pod('other', 'client', { role: 'client' }, { ip: '10.0.1.5', node: 'n2' });

describe('NetworkPolicy semantics', () => {
  it('defaults policyTypes: ingress always, egress only with egress rules', () => {
    const c = clusterFrom(
      web +
        api +
        netpol('app', 'egress-rules', {
          podSelector: { matchLabels: { app: 'web' } },
          egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
        }),
    );
    assert.equal(allowed(c, 'app/web', 'app/api', 9090), true);
    assert.equal(
      allowed(c, 'app/web', '192.0.2.1', 443),
      false,
      'egress is isolated because the egress list is non-empty',
    );
    assert.equal(
      allowed(c, 'app/api', 'app/web', 8080),
      false,
      'ingress is isolated by default, with no ingress rules',
    );
  });

  it('keeps rules of a direction left out of policyTypes inert', () => {
    const c = clusterFrom(
      web + api + netpol('app', 'egress-only', { podSelector: {}, policyTypes: ['Egress'], ingress: [], egress: [{}] }),
    );
    assert.equal(allowed(c, 'app/api', 'app/web', 8080), true, 'no ingress isolation from an Egress-only policy');
  });

  it('reads ports: [{}] as every TCP port and nothing else', () => {
    const c = clusterFrom(
      web +
        api +
        netpol('app', 'tcp-only', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ ports: [{}, { port: 80 }] }],
        }),
    );
    assert.equal(allowed(c, 'app/api', 'app/web', 8080), true);
    assert.equal(allowed(c, 'app/api', 'app/web', 79), true, 'not only the numbered port');
    assert.equal(allowed(c, 'app/api', 'app/web', 53, 'UDP'), false);
    assert.equal(allowed(c, 'app/api', 'app/web', 8080, 'SCTP'), false);
  });

  it('reads an absent ports list as every port of every protocol', () => {
    const c = clusterFrom(
      web + api + netpol('app', 'all-ports', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }),
    );
    for (const protocol of ['TCP', 'UDP', 'SCTP'] as const)
      assert.equal(allowed(c, 'app/api', 'app/web', 53, protocol), true);
  });

  it('ANDs selectors inside one peer and ORs across peers', () => {
    const both = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } },
      podSelector: { matchLabels: { app: 'api' } },
    };
    const and = clusterFrom(
      web +
        api +
        client +
        netpol('app', 'and', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [both] }] }),
    );
    assert.equal(allowed(and, 'other/client', 'app/web', 8080), false, 'client lacks app=api');
    assert.equal(allowed(and, 'app/api', 'app/web', 8080), false, 'api is not in namespace other');
    const or = clusterFrom(
      web +
        api +
        client +
        netpol('app', 'or', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ from: [{ namespaceSelector: both.namespaceSelector }, { podSelector: both.podSelector }] }],
        }),
    );
    assert.equal(allowed(or, 'other/client', 'app/web', 8080), true);
    assert.equal(allowed(or, 'app/api', 'app/web', 8080), true);
  });

  it('resolves named ports on the destination, by name, protocol and number', () => {
    const alt = pod('app', 'alt', { app: 'web' }, { ip: '10.0.0.12', ports: ['http:9000'] });
    const c = clusterFrom(
      web +
        alt +
        api +
        netpol('app', 'named', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ ports: [{ port: 'http' }, { port: 'dns' }] }],
        }),
    );
    assert.equal(allowed(c, 'app/api', 'app/web', 8080), true);
    assert.equal(allowed(c, 'app/api', 'app/web', 9000), false, "9000 is only alt's http");
    assert.equal(allowed(c, 'app/api', 'app/alt', 9000), true);
    assert.equal(allowed(c, 'app/api', 'app/alt', 8080), false, 'never the union of numbers');
    assert.equal(allowed(c, 'app/api', 'app/web', 53, 'UDP'), false, 'port: dns means TCP dns, but dns is UDP');
  });

  it('resolves an egress named port on whichever pod is the destination, with no to', () => {
    const c = clusterFrom(
      web +
        api +
        netpol('app', 'egress-named', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ ports: [{ port: 'http' }] }],
        }),
    );
    assert.equal(allowed(c, 'app/web', 'app/api', 9090), true, "api's http is 9090");
    assert.equal(allowed(c, 'app/web', 'app/api', 8080), false, "8080 is web's own http, not api's");
    assert.equal(allowed(c, 'app/web', '192.0.2.1', 8080), false, 'a named port never matches an external address');
  });

  it('applies endPort as an inclusive range', () => {
    const c = clusterFrom(
      web +
        api +
        netpol('app', 'range', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }],
        }),
    );
    assert.equal(allowed(c, 'app/api', 'app/web', 8000), true);
    assert.equal(allowed(c, 'app/api', 'app/web', 8080), true);
    assert.equal(allowed(c, 'app/api', 'app/web', 8081), false);
    assert.equal(allowed(c, 'app/api', 'app/web', 7999), false);
  });

  it('matches ipBlocks per address family, with excepts, against pods with known IPs only', () => {
    const unknownIP = pod('app', 'noip', { app: 'api' });
    const c = clusterFrom(
      web +
        api +
        unknownIP +
        netpol('app', 'cidr', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [
            {
              from: [
                { ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.11/32'] } },
                { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } },
              ],
            },
          ],
        }),
    );
    assert.equal(allowed(c, 'app/api', 'app/web', 8080), false, 'api is in the except');
    assert.equal(allowed(c, '10.0.0.99', 'app/web', 8080), true);
    assert.equal(allowed(c, '198.51.100.7', 'app/web', 8080), true);
    assert.equal(allowed(c, '2001:db8::1', 'app/web', 8080), false, '0.0.0.0/0 is IPv4 only');
    assert.equal(allowed(c, 'app/noip', 'app/web', 8080), false, 'a pod without a known IP never matches an ipBlock');
    const cilium = { ...defaultEngineOptions, ipBlockMatchesPodIPs: false };
    const inside = clusterFrom(
      web +
        api +
        netpol('app', 'cidr', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }],
        }),
    );
    assert.equal(verdictOf(inside, 'app/api', 'app/web', 8080).allowed, true);
    assert.equal(verdictOf(inside, 'app/api', 'app/web', 8080, 'TCP', cilium).allowed, false, 'Cilium mode');
  });

  it('needs both the egress of the source and the ingress of the destination', () => {
    const c = clusterFrom(
      web +
        api +
        netpol('app', 'web-egress', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [],
        }) +
        netpol('app', 'api-ingress', {
          podSelector: { matchLabels: { app: 'api' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
        }),
    );
    const v = verdictOf(c, 'app/web', 'app/api', 9090);
    assert.equal(v.allowed, false);
    assert.equal(v.ingress.allowed, true);
    assert.equal(v.egress.allowed, false);
    assert.deepEqual(
      v.egress.isolatedBy.map((p) => p.name),
      ['web-egress'],
    );
    assert.deepEqual(
      v.ingress.allowedBy.map((r) => `${r.policy.name}/${r.direction}[${r.index}]`),
      ['api-ingress/ingress[0]'],
    );
  });

  it('never confuses TCP, UDP and SCTP', () => {
    const c = clusterFrom(
      web + api + netpol('app', 'sctp', { podSelector: {}, ingress: [{ ports: [{ protocol: 'SCTP', port: 8080 }] }] }),
    );
    assert.equal(allowed(c, 'app/api', 'app/web', 8080, 'SCTP'), true);
    assert.equal(allowed(c, 'app/api', 'app/web', 8080, 'TCP'), false);
    assert.equal(allowed(c, 'app/api', 'app/web', 8080, 'UDP'), false);
  });

  it('always allows a pod to reach itself, and its own node', () => {
    const node =
      '---\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\n' +
      'status: {addresses: [{type: InternalIP, address: 192.168.0.1}]}\n';
    const c = clusterFrom(web + node + netpol('app', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    assert.equal(allowed(c, 'app/web', 'app/web', 8080), true);
    assert.equal(verdictOf(c, 'app/web', 'app/web', 8080).self, true);
    assert.equal(allowed(c, '192.168.0.1', 'app/web', 8080), true, 'kubelet probes from the local node');
    assert.equal(verdictOf(c, '192.168.0.1', 'app/web', 8080).ingress.reason, 'local-node');
    assert.equal(allowed(c, '192.168.0.2', 'app/web', 8080), false, 'another address is not the node');
    assert.equal(allowed(c, 'app/web', '192.168.0.1', 10250), true, 'egress to the own node is allowed by default');
    const strict = { ...defaultEngineOptions, allowEgressToLocalNode: false };
    assert.equal(verdictOf(c, 'app/web', '192.168.0.1', 10250, 'TCP', strict).allowed, false);
  });

  it('treats hostNetwork pods as node traffic that selectors do not see', () => {
    const agent = pod('app', 'agent', { app: 'web' }, { ip: '192.168.0.9', node: 'n1', hostNetwork: true });
    const c = clusterFrom(
      web +
        agent +
        netpol('app', 'from-web', {
          podSelector: {},
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
        }),
    );
    assert.equal(verdictOf(c, 'app/web', 'app/agent', 80).ingress.reason, 'host-network');
    assert.equal(allowed(c, 'app/agent', 'app/web', 8080), true, "the agent is on the pod's node");
  });

  it('matches namespaces by labels, including the automatic name label on implicit namespaces', () => {
    const c = clusterFrom(
      web +
        client +
        netpol('app', 'from-other', {
          podSelector: {},
          ingress: [
            {
              from: [
                {
                  namespaceSelector: {
                    matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['other'] }],
                  },
                },
              ],
            },
          ],
        }),
    );
    assert.equal(c.namespaces.get('other')?.implicit, true);
    assert.equal(allowed(c, 'other/client', 'app/web', 8080), true);
  });
});
