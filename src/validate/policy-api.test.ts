import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdminNetworkPolicy, BaselineAdminNetworkPolicy } from '../resources/types.js';
import { type JSONObject, type JSONValue } from '../util/json.js';
import { objectFromData } from '../resources/source.js';
import { typedView } from './typed.js';
import { isCIDR } from './policy-api.js';
import { validateObject } from './validate.js';

// Expected messages are typed from the CRDs (network-policy-api v0.2.0 for v1alpha2, v0.1.7 for v1alpha1) and from
// the wording of the apiextensions-apiserver (kube-openapi's `... in body ...`, apimachinery's field.Error), not
// from the code under test.

const NOT_CHECKED =
  '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; ' +
  'correct the existing errors to complete validation';
const BAD_CIDR = 'Invalid CIDR format provided';
const CNP_DOMAIN =
  String.raw`^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+` +
  String.raw`[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$`;
const ANP_DOMAIN =
  String.raw`^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+` +
  String.raw`[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$`;
const CNP_NAMED_PORT =
  'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for ' +
  'networks/nodes/domainNames';
const BANP_NAMED_PORT =
  'networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes';
const BANP_NAME =
  '<nil>: Invalid value: "object": Only one baseline admin network policy with metadata.name="default" ' +
  'can be created in the cluster';
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start " +
  "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation " +
  "is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start " +
  "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const YAML_BOOLEAN = ' (unquoted y, yes, on, n, no and off are booleans in YAML: quote the value)';

const ALL: JSONObject = {};
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

const cnp = (spec: JSONObject, name: JSONValue = 'p'): JSONObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha2',
  kind: 'ClusterNetworkPolicy',
  metadata: { name },
  spec,
});
const admin = (more: JSONObject = {}): JSONObject => ({
  tier: 'Admin',
  priority: 10,
  subject: { namespaces: ALL },
  ...more,
});
const cnpIngress = (rule: JSONObject): JSONObject => cnp(admin({ ingress: [{ action: 'Accept', ...rule }] }));
const cnpEgress = (rule: JSONObject): JSONObject => cnp(admin({ egress: [{ action: 'Accept', ...rule }] }));
const cnpFrom = (peer: JSONValue): JSONObject => cnpIngress({ from: [peer] });
const cnpTo = (peer: JSONValue): JSONObject => cnpEgress({ to: [peer] });
const cnpProtocol = (protocol: JSONValue): JSONObject =>
  cnpIngress({ from: [{ namespaces: ALL }], protocols: [protocol] });
const tcpPort = (destinationPort: JSONValue): JSONObject => cnpProtocol({ tcp: { destinationPort } });

const anp = (spec: JSONObject): JSONObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'AdminNetworkPolicy',
  metadata: { name: 'a' },
  spec,
});
const adminSpec = (more: JSONObject = {}): JSONObject => ({ priority: 10, subject: { namespaces: ALL }, ...more });
const anpIngress = (rule: JSONObject): JSONObject => anp(adminSpec({ ingress: [{ action: 'Allow', ...rule }] }));
const anpEgress = (rule: JSONObject): JSONObject => anp(adminSpec({ egress: [{ action: 'Allow', ...rule }] }));
const anpPort = (port: JSONValue): JSONObject => anpIngress({ from: [{ namespaces: ALL }], ports: [port] });
const anpTo = (peer: JSONValue): JSONObject => anpEgress({ to: [peer] });

const banp = (spec: JSONObject, name = 'default'): JSONObject => ({
  apiVersion: 'policy.networking.k8s.io/v1alpha1',
  kind: 'BaselineAdminNetworkPolicy',
  metadata: { name },
  spec,
});
const banpEgress = (rule: JSONObject): JSONObject =>
  banp({ subject: { namespaces: ALL }, egress: [{ action: 'Deny', ...rule }] });

const I = 'spec.ingress[0]';
const E = 'spec.egress[0]';
const P = 'spec.ingress[0].protocols[0]';
const D = 'spec.ingress[0].protocols[0].tcp.destinationPort';
const AP = 'spec.ingress[0].ports[0]';

const invalidCases: [string, JSONObject, string[]][] = [
  // ClusterNetworkPolicy: spec
  [
    'CNP priority above 1000',
    cnp(admin({ priority: 1001 })),
    ['spec.priority: Invalid value: 1001: spec.priority in body should be less than or equal to 1000'],
  ],
  [
    'CNP negative priority',
    cnp(admin({ priority: -1 })),
    ['spec.priority: Invalid value: -1: spec.priority in body should be greater than or equal to 0'],
  ],
  [
    'CNP priority as a string',
    cnp(admin({ priority: '10' })),
    ['spec.priority: Invalid value: "string": spec.priority in body must be of type integer: "string"', NOT_CHECKED],
  ],
  [
    'CNP fractional priority',
    cnp(admin({ priority: 1.5 })),
    ['spec.priority: Invalid value: "number": spec.priority in body must be of type integer: "number"', NOT_CHECKED],
  ],
  [
    'CNP tier is case-sensitive',
    cnp(admin({ tier: 'admin' })),
    ['spec.tier: Unsupported value: "admin": supported values: "Admin", "Baseline"', NOT_CHECKED],
  ],
  [
    'CNP without tier or priority',
    cnp({ subject: { namespaces: ALL } }),
    ['spec.priority: Required value', 'spec.tier: Required value', NOT_CHECKED],
  ],
  ['CNP without spec', { ...cnp({}), spec: null }, ['spec: Required value', NOT_CHECKED]],
  ['CNP without subject', cnp({ tier: 'Baseline', priority: 0 }), ['spec.subject: Required value', NOT_CHECKED]],
  [
    'CNP empty subject',
    cnp(admin({ subject: {} })),
    ['spec.subject: Invalid value: 0: spec.subject in body should have at least 1 properties'],
  ],
  [
    'CNP subject with namespaces and pods',
    cnp(admin({ subject: { namespaces: ALL, pods: { podSelector: ALL } } })),
    ['spec.subject: Too many: 2: must have at most 1 item', NOT_CHECKED],
  ],
  [
    'CNP subject pods without podSelector',
    cnp(admin({ subject: { pods: { namespaceSelector: ALL } } })),
    ['spec.subject.pods.podSelector: Required value', NOT_CHECKED],
  ],
  [
    'CNP 26 egress rules',
    cnp(admin({ egress: times(26, () => ({ action: 'Deny', to: [{ namespaces: ALL }] })) })),
    ['spec.egress: Too many: 26: must have at most 25 items', NOT_CHECKED],
  ],
  ['CNP unknown spec field', cnp(admin({ ports: [] })), ['unknown field "spec.ports"']],
  ['CNP misspelt top-level field', { ...cnp(admin()), specs: {} }, ['unknown field "specs"']],
  // ClusterNetworkPolicy: rules
  [
    "CNP rule with ANP's action word",
    cnpEgress({ action: 'Allow', to: [{ namespaces: ALL }] }),
    [`${E}.action: Unsupported value: "Allow": supported values: "Accept", "Deny", "Pass"`, NOT_CHECKED],
  ],
  [
    'CNP rule without action',
    cnp(admin({ ingress: [{ from: [{ namespaces: ALL }] }] })),
    [`${I}.action: Required value`, NOT_CHECKED],
  ],
  ['CNP egress rule without to', cnpEgress({}), [`${E}.to: Required value`, NOT_CHECKED]],
  ['CNP ingress rule without from', cnpIngress({}), [`${I}.from: Required value`, NOT_CHECKED]],
  [
    'CNP egress rule with no peers',
    cnpEgress({ to: [] }),
    [`${E}.to: Invalid value: 0: ${E}.to in body should have at least 1 items`],
  ],
  [
    'CNP 26 peers',
    cnpIngress({ from: times(26, () => ({ namespaces: ALL })) }),
    [`${I}.from: Too many: 26: must have at most 25 items`, NOT_CHECKED],
  ],
  [
    'CNP rule name of 101 characters',
    cnpIngress({ name: 'r'.repeat(101), from: [{ namespaces: ALL }] }),
    [`${I}.name: Too long: may not be more than 100 bytes`, NOT_CHECKED],
  ],
  [
    'CNP rule name read as a YAML boolean',
    cnpIngress({ name: true, from: [{ namespaces: ALL }] }),
    [
      `${I}.name: Invalid value: "boolean": ${I}.name in body must be of type string: "boolean"${YAML_BOOLEAN}`,
      NOT_CHECKED,
    ],
  ],
  [
    'CNP null rule',
    cnp(admin({ egress: [null] })),
    [`${E}: Invalid value: "null": ${E} in body must be of type object: "null"`, NOT_CHECKED],
  ],
  ['CNP ANP-style ports', cnpIngress({ from: [{ namespaces: ALL }], ports: [] }), [`unknown field "${I}.ports"`]],
  // ClusterNetworkPolicy: peers
  [
    'CNP empty peer',
    cnpFrom({}),
    [`${I}.from[0]: Invalid value: 0: ${I}.from[0] in body should have at least 1 properties`],
  ],
  [
    'CNP peer with two fields',
    cnpFrom({ namespaces: ALL, pods: { podSelector: ALL } }),
    [`${I}.from[0]: Too many: 2: must have at most 1 item`, NOT_CHECKED],
  ],
  ['CNP networks as an ingress peer', cnpFrom({ networks: ['10.0.0.0/8'] }), [`unknown field "${I}.from[0].networks"`]],
  ['CNP nodes as an ingress peer', cnpFrom({ nodes: ALL }), [`unknown field "${I}.from[0].nodes"`]],
  [
    'CNP CIDR prefix too long',
    cnpTo({ networks: ['10.0.0.0/33'] }),
    [`${E}.to[0].networks[0]: Invalid value: "string": ${BAD_CIDR}`],
  ],
  [
    'CNP CIDR octet with a leading zero',
    cnpTo({ networks: ['10.0.0.0/8', '010.0.0.0/8'] }),
    [`${E}.to[0].networks[1]: Invalid value: "string": ${BAD_CIDR}`],
  ],
  [
    'CNP address without prefix',
    cnpTo({ networks: ['10.0.0.1'] }),
    [`${E}.to[0].networks[0]: Invalid value: "string": ${BAD_CIDR}`],
  ],
  [
    'CNP CIDR with a zone',
    cnpTo({ networks: ['fe80::%eth0/64'] }),
    [`${E}.to[0].networks[0]: Invalid value: "string": ${BAD_CIDR}`],
  ],
  [
    'CNP prefix with a leading zero',
    cnpTo({ networks: ['10.0.0.0/08'] }),
    [`${E}.to[0].networks[0]: Invalid value: "string": ${BAD_CIDR}`],
  ],
  [
    'CNP CIDR longer than 43 characters',
    cnpTo({ networks: ['2001:0db8:0000:0000:0000:0000:0000:0000/0128'] }),
    [`${E}.to[0].networks[0]: Too long: may not be more than 43 bytes`, NOT_CHECKED],
  ],
  [
    'CNP repeated network',
    cnpTo({ networks: ['10.0.0.0/8', '192.168.0.0/16', '10.0.0.0/8'] }),
    [`${E}.to[0].networks[2]: Duplicate value: "10.0.0.0/8"`],
  ],
  [
    'CNP empty networks',
    cnpTo({ networks: [] }),
    [`${E}.to[0].networks: Invalid value: 0: ${E}.to[0].networks in body should have at least 1 items`],
  ],
  [
    'CNP 26 networks',
    cnpTo({ networks: times(26, (i) => `10.${i}.0.0/16`) }),
    [`${E}.to[0].networks: Too many: 26: must have at most 25 items`, NOT_CHECKED],
  ],
  [
    'CNP domain name of one label',
    cnpTo({ domainNames: ['localhost'] }),
    [
      `${E}.to[0].domainNames[0]: Invalid value: "localhost": ` +
        `${E}.to[0].domainNames[0] in body should match '${CNP_DOMAIN}'`,
    ],
  ],
  [
    'CNP wildcard inside a domain name',
    cnpTo({ domainNames: ['www.*.example.com'] }),
    [
      `${E}.to[0].domainNames[0]: Invalid value: "www.*.example.com": ` +
        `${E}.to[0].domainNames[0] in body should match '${CNP_DOMAIN}'`,
    ],
  ],
  [
    'CNP repeated domain name',
    cnpTo({ domainNames: ['example.com', 'example.com'] }),
    [`${E}.to[0].domainNames[1]: Duplicate value: "example.com"`],
  ],
  [
    'CNP named port towards nodes',
    cnpEgress({ to: [{ namespaces: ALL }, { nodes: ALL }], protocols: [{ destinationNamedPort: 'web' }] }),
    [`${E}: Invalid value: "object": ${CNP_NAMED_PORT}`],
  ],
  [
    'CNP named port towards networks',
    cnpEgress({
      to: [{ networks: ['0.0.0.0/0'] }],
      protocols: [{ tcp: { destinationPort: { number: 80 } } }, { destinationNamedPort: 'web' }],
    }),
    [`${E}: Invalid value: "object": ${CNP_NAMED_PORT}`],
  ],
  [
    'CNP named port towards domain names',
    cnpEgress({ to: [{ domainNames: ['example.com'] }], protocols: [{ destinationNamedPort: 'web' }] }),
    [`${E}: Invalid value: "object": ${CNP_NAMED_PORT}`],
  ],
  // ClusterNetworkPolicy: protocols
  [
    'CNP empty protocols',
    cnpIngress({ from: [{ namespaces: ALL }], protocols: [] }),
    [`${I}.protocols: Invalid value: 0: ${I}.protocols in body should have at least 1 items`],
  ],
  ['CNP empty protocol', cnpProtocol({}), [`${P}: Invalid value: 0: ${P} in body should have at least 1 properties`]],
  [
    'CNP protocol with tcp and udp',
    cnpProtocol({ tcp: { destinationPort: { number: 80 } }, udp: { destinationPort: { number: 53 } } }),
    [`${P}: Too many: 2: must have at most 1 item`, NOT_CHECKED],
  ],
  [
    'CNP tcp without a port',
    cnpProtocol({ tcp: {} }),
    [`${P}.tcp: Invalid value: 0: ${P}.tcp in body should have at least 1 properties`],
  ],
  ['CNP unknown protocol', cnpProtocol({ icmp: {} }), [`unknown field "${P}.icmp"`]],
  [
    'CNP empty destination port',
    tcpPort({}),
    [`${D}: Invalid value: 0: ${D} in body should have at least 1 properties`],
  ],
  [
    'CNP port 0',
    tcpPort({ number: 0 }),
    [`${D}.number: Invalid value: 0: ${D}.number in body should be greater than or equal to 1`],
  ],
  [
    'CNP port 65536',
    tcpPort({ number: 65536 }),
    [`${D}.number: Invalid value: 65536: ${D}.number in body should be less than or equal to 65535`],
  ],
  [
    'CNP port and range',
    tcpPort({ number: 80, range: { start: 80, end: 81 } }),
    [`${D}: Too many: 2: must have at most 1 item`, NOT_CHECKED],
  ],
  [
    'CNP range of one port',
    tcpPort({ range: { start: 80, end: 80 } }),
    [`${D}.range: Invalid value: "object": Start port must be less than End port`],
  ],
  [
    'CNP reversed range',
    tcpPort({ range: { start: 90, end: 80 } }),
    [`${D}.range: Invalid value: "object": Start port must be less than End port`],
  ],
  ['CNP range without end', tcpPort({ range: { start: 80 } }), [`${D}.range.end: Required value`, NOT_CHECKED]],
  [
    'CNP range end above 65535',
    tcpPort({ range: { start: 80, end: 70000 } }),
    [`${D}.range.end: Invalid value: 70000: ${D}.range.end in body should be less than or equal to 65535`],
  ],
  [
    'CNP named port not a string',
    cnpProtocol({ destinationNamedPort: 80 }),
    [
      `${P}.destinationNamedPort: Invalid value: "integer": ` +
        `${P}.destinationNamedPort in body must be of type string: "integer"`,
      NOT_CHECKED,
    ],
  ],
  // ClusterNetworkPolicy: metadata and selectors
  ['CNP name not a subdomain', cnp(admin(), 'Bad_Name'), [`metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`]],
  [
    'CNP selector requirement without operator',
    cnp(admin({ subject: { namespaces: { matchExpressions: [{ key: 'team' }] } } })),
    ['spec.subject.namespaces.matchExpressions[0].operator: Required value', NOT_CHECKED],
  ],
  [
    'CNP label value of the wrong type',
    cnp(admin({ subject: { namespaces: { matchLabels: { replicas: 3 } } } })),
    [
      'spec.subject.namespaces.matchLabels.replicas: Invalid value: "integer": ' +
        'spec.subject.namespaces.matchLabels.replicas in body must be of type string: "integer"',
      NOT_CHECKED,
    ],
  ],
  [
    'CNP unknown selector operator (which the CRD lets through)',
    cnp(admin({ subject: { namespaces: { matchExpressions: [{ key: 'team', operator: 'Equals', values: ['a'] }] } } })),
    ['spec.subject.namespaces.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator'],
  ],
  [
    'CNP peer label value with a space (which the CRD lets through)',
    cnpTo({ pods: { podSelector: { matchLabels: { app: 'a b' } } } }),
    [`${E}.to[0].pods.podSelector.matchLabels: Invalid value: "a b": ${LABEL_VALUE}`],
  ],
  [
    'CNP node selector In without values (which the CRD lets through)',
    cnpTo({ nodes: { matchExpressions: [{ key: 'zone', operator: 'In' }] } }),
    [
      `${E}.to[0].nodes.matchExpressions[0].values: Required value: ` +
        "must be specified when `operator` is 'In' or 'NotIn'",
    ],
  ],

  // AdminNetworkPolicy
  [
    'ANP priority above 1000',
    anp(adminSpec({ priority: 5000 })),
    ['spec.priority: Invalid value: 5000: spec.priority in body should be less than or equal to 1000'],
  ],
  ['ANP without priority', anp({ subject: { namespaces: ALL } }), ['spec.priority: Required value', NOT_CHECKED]],
  ['ANP with a tier', anp(adminSpec({ tier: 'Admin' })), ['unknown field "spec.tier"']],
  [
    "ANP rule with CNP's action word",
    anpIngress({ action: 'Accept', from: [{ namespaces: ALL }] }),
    [`${I}.action: Unsupported value: "Accept": supported values: "Allow", "Deny", "Pass"`, NOT_CHECKED],
  ],
  [
    'ANP pods peer without namespaceSelector',
    anpIngress({ from: [{ pods: { podSelector: ALL } }] }),
    [`${I}.from[0].pods.namespaceSelector: Required value`, NOT_CHECKED],
  ],
  [
    'ANP 101 ingress rules',
    anp(adminSpec({ ingress: times(101, () => ({ action: 'Deny', from: [{ namespaces: ALL }] })) })),
    ['spec.ingress: Too many: 101: must have at most 100 items', NOT_CHECKED],
  ],
  [
    'ANP 101 peers',
    anpEgress({ to: times(101, () => ({ namespaces: ALL })) }),
    [`${E}.to: Too many: 101: must have at most 100 items`, NOT_CHECKED],
  ],
  [
    'ANP empty ports',
    anpIngress({ from: [{ namespaces: ALL }], ports: [] }),
    [`${I}.ports: Invalid value: 0: ${I}.ports in body should have at least 1 items`],
  ],
  [
    'ANP CNP-style protocols',
    anpIngress({ from: [{ namespaces: ALL }], protocols: [] }),
    [`unknown field "${I}.protocols"`],
  ],
  ['ANP empty port', anpPort({}), [`${AP}: Invalid value: 0: ${AP} in body should have at least 1 properties`]],
  [
    'ANP port number and named port',
    anpPort({ portNumber: { port: 80 }, namedPort: 'web' }),
    [`${AP}: Too many: 2: must have at most 1 item`, NOT_CHECKED],
  ],
  [
    'ANP port number without port',
    anpPort({ portNumber: { protocol: 'UDP' } }),
    [`${AP}.portNumber.port: Required value`, NOT_CHECKED],
  ],
  [
    'ANP port 0',
    anpPort({ portNumber: { port: 0 } }),
    [`${AP}.portNumber.port: Invalid value: 0: ${AP}.portNumber.port in body should be greater than or equal to 1`],
  ],
  [
    'ANP port range without start',
    anpPort({ portRange: { end: 90 } }),
    [`${AP}.portRange.start: Required value`, NOT_CHECKED],
  ],
  [
    'ANP named port towards networks',
    anpEgress({ to: [{ networks: ['10.0.0.0/8'] }], ports: [{ namedPort: 'web' }] }),
    [`${E}: Invalid value: "object": ${CNP_NAMED_PORT}`],
  ],
  [
    'ANP bad network',
    anpTo({ networks: ['10.0.0.0/8', '::1/129'] }),
    [`${E}.to[0].networks[1]: Invalid value: "string": ${BAD_CIDR}`],
  ],
  [
    'ANP domain name with a leading hyphen',
    anpTo({ domainNames: ['-example.com'] }),
    [
      `${E}.to[0].domainNames[0]: Invalid value: "-example.com": ` +
        `${E}.to[0].domainNames[0] in body should match '${ANP_DOMAIN}'`,
    ],
  ],
  [
    'ANP protocol other than TCP, UDP, SCTP (which the CRD lets through)',
    anpPort({ portNumber: { port: 80, protocol: 'ICMP' } }),
    [`${AP}.portNumber.protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"`],
  ],
  [
    'ANP protocol in lower case (which the CRD lets through)',
    anpEgress({ to: [{ namespaces: ALL }], ports: [{ portRange: { protocol: 'udp', start: 1, end: 2 } }] }),
    [`${E}.ports[0].portRange.protocol: Unsupported value: "udp": supported values: "TCP", "UDP", "SCTP"`],
  ],
  [
    'ANP reversed port range (which the v1alpha1 CRD lets through)',
    anpPort({ portRange: { start: 90, end: 80 } }),
    [`${AP}.portRange: Invalid value: "object": Start port must be less than End port`],
  ],

  // BaselineAdminNetworkPolicy
  ['BANP not named default', banp({ subject: { namespaces: ALL } }, 'baseline'), [BANP_NAME]],
  [
    'BANP not named default, with another error: the rule is not evaluated',
    banp({ subject: { namespaces: ALL }, ingress: [{ action: 'Allow' }] }, 'baseline'),
    [`${I}.from: Required value`, NOT_CHECKED],
  ],
  [
    'BANP Pass',
    banpEgress({ action: 'Pass', to: [{ namespaces: ALL }] }),
    [`${E}.action: Unsupported value: "Pass": supported values: "Allow", "Deny"`, NOT_CHECKED],
  ],
  ['BANP with a priority', banp({ priority: 1, subject: { namespaces: ALL } }), ['unknown field "spec.priority"']],
  [
    'BANP domainNames',
    banpEgress({ to: [{ domainNames: ['example.com'] }] }),
    [`unknown field "${E}.to[0].domainNames"`],
  ],
  [
    'BANP named port towards nodes',
    banpEgress({ to: [{ nodes: ALL }], ports: [{ namedPort: 'web' }] }),
    [`${E}: Invalid value: "object": ${BANP_NAMED_PORT}`],
  ],
  ['BANP without subject', banp({ ingress: [] }), ['spec.subject: Required value', NOT_CHECKED]],
];

const validCases: [string, JSONObject][] = [
  ['CNP priority 0', cnp(admin({ priority: 0 }))],
  ['CNP priority 1000 (the maximum)', cnp(admin({ priority: 1000 }))],
  [
    'CNP in the Baseline tier, without rules',
    cnp({ tier: 'Baseline', priority: 5, subject: { pods: { podSelector: ALL } } }),
  ],
  ['CNP with empty rule lists', cnp(admin({ ingress: [], egress: [] }))],
  [
    'CNP null label value, pruned as the API server does',
    cnp(admin({ subject: { namespaces: { matchLabels: { a: null } } } })),
  ],
  [
    'CNP null fields, pruned as the API server does',
    cnp(admin({ ingress: null, egress: [{ action: 'Deny', to: [{ namespaces: ALL }], protocols: null }] })),
  ],
  [
    'CNP every action and every ingress peer',
    cnp(
      admin({
        ingress: ['Accept', 'Deny', 'Pass'].map((action): JSONObject => ({
          action,
          from: [
            { namespaces: ALL },
            { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } },
            { pods: { podSelector: ALL } },
            {
              pods: { namespaceSelector: ALL, podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } },
            },
          ],
        })),
      }),
    ),
  ],
  [
    'CNP every egress peer',
    cnpEgress({
      to: [
        { namespaces: ALL },
        { pods: { podSelector: ALL } },
        { nodes: ALL },
        { networks: ['0.0.0.0/0', '::/0', '10.0.0.1/8', '2001:db8::/32', '::ffff:10.0.0.0/104', '192.168.1.1/32'] },
        { domainNames: ['kubernetes.io', '*.kubernetes.io', 'example.com.', 'my_service.internal.example'] },
      ],
    }),
  ],
  [
    'CNP 25 rules of 25 peers and 25 protocols (the maxima)',
    cnp(
      admin({
        egress: times(25, () => ({
          action: 'Deny',
          to: times(25, (i) => ({ networks: [`10.${i}.0.0/16`] })),
          protocols: times(25, (i) => ({ udp: { destinationPort: { number: 1000 + i } } })),
        })),
      }),
    ),
  ],
  [
    'CNP every protocol form',
    cnpIngress({
      from: [{ pods: { podSelector: ALL } }],
      protocols: [
        { tcp: { destinationPort: { number: 1 } } },
        { udp: { destinationPort: { range: { start: 1, end: 65535 } } } },
        { sctp: { destinationPort: { number: 65535 } } },
        { tcp: { destinationPort: { range: { start: 8080, end: 8081 } } } },
        { destinationNamedPort: 'web' },
      ],
    }),
  ],
  [
    'CNP named port towards pods',
    cnpEgress({ to: [{ pods: { podSelector: ALL } }], protocols: [{ destinationNamedPort: 'dns' }] }),
  ],
  ['CNP rule name of 100 characters', cnpIngress({ name: 'r'.repeat(100), from: [{ namespaces: ALL }] })],
  [
    'CNP domain names on a Deny rule (the CRD has no rule against it)',
    cnpEgress({ action: 'Deny', to: [{ domainNames: ['example.com'] }] }),
  ],
  [
    'CNP as kubectl get prints it',
    {
      ...cnp(admin()),
      metadata: { name: 'p', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: '2025-01-01T00:00:00Z' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    },
  ],
  ['ANP priority 0', anp(adminSpec({ priority: 0 }))],
  ['ANP priority 1000', anp(adminSpec({ priority: 1000 }))],
  [
    'ANP every action, port form and ingress peer',
    anp(
      adminSpec({
        ingress: ['Allow', 'Deny', 'Pass'].map((action): JSONObject => ({
          action,
          from: [{ namespaces: ALL }, { pods: { namespaceSelector: ALL, podSelector: ALL } }],
          ports: [
            { portNumber: { port: 80 } },
            { portNumber: { port: 53, protocol: 'UDP' } },
            { portRange: { start: 1, end: 65535, protocol: 'SCTP' } },
            { portRange: { start: 80, end: 80 } },
            { namedPort: 'web' },
          ],
        })),
      }),
    ),
  ],
  [
    'ANP every egress peer',
    anpEgress({
      to: [
        { namespaces: ALL },
        { pods: { namespaceSelector: ALL, podSelector: ALL } },
        { nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } },
        { networks: ['172.18.0.0/16', 'fd00::/8'] },
        { domainNames: ['*.example.com'] },
      ],
    }),
  ],
  [
    'ANP 100 rules of 100 peers and 100 ports (the maxima)',
    anp(
      adminSpec({
        ingress: times(100, () => ({
          action: 'Deny',
          from: times(100, () => ({ namespaces: ALL })),
          ports: times(100, (i) => ({ portNumber: { port: i + 1 } })),
        })),
      }),
    ),
  ],
  ['BANP named default', banp({ subject: { pods: { namespaceSelector: ALL, podSelector: ALL } } })],
  [
    'BANP every egress peer, Allow and Deny',
    banp({
      subject: { namespaces: ALL },
      egress: ['Allow', 'Deny'].map((action): JSONObject => ({
        action,
        to: [
          { namespaces: ALL },
          { pods: { namespaceSelector: ALL, podSelector: ALL } },
          { nodes: ALL },
          { networks: ['0.0.0.0/0'] },
        ],
        ports: [{ portRange: { start: 36363, end: 36364 } }],
      })),
    }),
  ],
];

const messagesOf = (raw: JSONObject): string[] => validateObject(objectFromData(raw)).map((d) => d.message);

describe('policy.networking.k8s.io validation, as the API server does it with the CRDs', () => {
  for (const [name, raw, expected] of invalidCases) {
    it(`rejects: ${name}`, () => assert.deepEqual(messagesOf(raw), expected));
  }
  for (const [name, raw] of validCases) {
    it(`accepts: ${name}`, () => assert.deepEqual(messagesOf(raw), []));
  }

  it('defaults a port protocol to TCP, as the v1alpha1 CRDs do, and keeps one that is given', () => {
    const policy = typedView<AdminNetworkPolicy>(objectFromData(anpPort({ portNumber: { port: 80 } })));
    assert.deepEqual(policy.spec.ingress?.[0]?.ports, [{ portNumber: { port: 80, protocol: 'TCP' } }]);
    const baseline = typedView<BaselineAdminNetworkPolicy>(
      objectFromData(
        banpEgress({
          to: [{ namespaces: ALL }],
          ports: [{ portRange: { start: 1, end: 2 } }, { portRange: { start: 1, end: 2, protocol: 'UDP' } }],
        }),
      ),
    );
    assert.deepEqual(baseline.spec.egress?.[0]?.ports, [
      { portRange: { start: 1, end: 2, protocol: 'TCP' } },
      { portRange: { start: 1, end: 2, protocol: 'UDP' } },
    ]);
  });

  it('prunes null fields from the typed view, as the API server stores the object', () => {
    const policy = typedView<AdminNetworkPolicy>(objectFromData(anp(adminSpec({ ingress: null, egress: [] }))));
    assert.equal('ingress' in policy.spec, false);
    assert.deepEqual(policy.spec.egress, []);
  });
});

describe("CEL's isCIDR", () => {
  const accepted = [
    '10.0.0.0/8',
    '10.0.0.1/8',
    '0.0.0.0/0',
    '::/0',
    '2001:db8::/32',
    '::ffff:1.2.3.4/128',
    '1.2.3.4/32',
  ];
  const refused = [
    '10.0.0.0',
    '10.0.0.0/33',
    '010.0.0.0/8',
    '10.0.0.0/08',
    '10.0.0.0/+8',
    '10.0.0/8',
    '::/129',
    'fe80::1%eth0/64',
    '2001:db8::/-1',
    '',
    '/8',
    '10.0.0.0/8/8',
    ' 10.0.0.0/8',
  ];
  for (const text of accepted) it(`accepts ${text}`, () => assert.equal(isCIDR(text), true));
  for (const text of refused) it(`refuses ${JSON.stringify(text)}`, () => assert.equal(isCIDR(text), false));
});
