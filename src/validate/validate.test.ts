import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadText } from '../load/load.js';
import { type JSONObject } from '../util/json.js';
import { objectFromData } from '../resources/source.js';
import { formatInvalidObject, validateObject } from './validate.js';

// Messages as upstream writes them (k8s.io/apimachinery util/validation), typed out here,
// not taken from the code under test.
const RANGE = 'must be between 1 and 65535, inclusive';
const CIDR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
const SUBSET = 'must be a strict subset of `cidr`';
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
  "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', " +
  "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', " +
  "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', " +
  "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
  "and must start and end with an alphanumeric character (e.g. 'example.com', " +
  "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
  "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " +
  "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', " +
  "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', " +
  "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') " +
  "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const PORT_CHARSET = 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)';
const IN_VALUES = "must be specified when `operator` is 'In' or 'NotIn'";
const EXISTS_VALUES = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'";

const netpol = (spec: JSONObject, metadata: JSONObject = { name: 'p', namespace: 'x' }): JSONObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata,
  spec,
});
const ingressPort = (port: JSONObject): JSONObject => netpol({ podSelector: {}, ingress: [{ ports: [port] }] });
const egressPort = (port: JSONObject): JSONObject =>
  netpol({ podSelector: {}, egress: [{ ports: [port] }], policyTypes: ['Egress'] });
const fromPeer = (peer: JSONObject): JSONObject => netpol({ podSelector: {}, ingress: [{ from: [peer] }] });
const toPeer = (peer: JSONObject): JSONObject =>
  netpol({ podSelector: {}, egress: [{ to: [peer] }], policyTypes: ['Egress'] });
const ipBlock = (cidr: string, except?: string[]): JSONObject =>
  fromPeer({ ipBlock: except ? { cidr, except } : { cidr } });
const podSelector = (selector: JSONObject): JSONObject => netpol({ podSelector: selector });
const expr = (key: string, operator: string, values?: string[]): JSONObject => ({
  matchExpressions: [values === undefined ? { key, operator } : { key, operator, values }],
});
const pod = (ports: JSONObject[], labels: JSONObject = { app: 'web' }): JSONObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'x', labels },
  spec: { containers: [{ name: 'c', ports }] },
});
const deployment = (labels: JSONObject, ports: JSONObject[]): JSONObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'x' },
  spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'c', ports }] } } },
});

const P = 'spec.ingress[0].ports[0]';
const F = 'spec.ingress[0].from[0]';
const E = 'spec.podSelector.matchExpressions[0]';

/** Each invalid input, with every message the apiserver gives for it, in its order. */
const invalidCases: [string, JSONObject, string[]][] = [
  // ports
  [
    'unknown protocol',
    ingressPort({ protocol: 'ICMP', port: 80 }),
    [`${P}.protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"`],
  ],
  [
    'protocol is case-sensitive',
    ingressPort({ protocol: 'tcp' }),
    [`${P}.protocol: Unsupported value: "tcp": supported values: "TCP", "UDP", "SCTP"`],
  ],
  [
    'egress protocol',
    egressPort({ protocol: 'HTTP' }),
    ['spec.egress[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "TCP", "UDP", "SCTP"'],
  ],
  ['port 0', ingressPort({ port: 0 }), [`${P}.port: Invalid value: 0: ${RANGE}`]],
  ['port 65536', ingressPort({ port: 65536 }), [`${P}.port: Invalid value: 65536: ${RANGE}`]],
  ['negative port', ingressPort({ port: -1 }), [`${P}.port: Invalid value: -1: ${RANGE}`]],
  [
    'endPort below port',
    ingressPort({ port: 80, endPort: 70 }),
    [`${P}.endPort: Invalid value: 70: must be greater than or equal to \`port\``],
  ],
  ['endPort out of range', ingressPort({ port: 80, endPort: 70000 }), [`${P}.endPort: Invalid value: 70000: ${RANGE}`]],
  [
    'endPort 0 is below port and out of range',
    ingressPort({ port: 1, endPort: 0 }),
    [
      `${P}.endPort: Invalid value: 0: must be greater than or equal to \`port\``,
      `${P}.endPort: Invalid value: 0: ${RANGE}`,
    ],
  ],
  [
    'endPort with a named port',
    ingressPort({ port: 'http', endPort: 90 }),
    [`${P}.endPort: Invalid value: 90: may not be specified when \`port\` is non-numeric`],
  ],
  [
    'endPort without port',
    ingressPort({ endPort: 90 }),
    [`${P}.endPort: Invalid value: 90: may not be specified when \`port\` is not specified`],
  ],
  [
    'egress endPort without port',
    egressPort({ protocol: 'UDP', endPort: 90 }),
    ['spec.egress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified'],
  ],
  ['port 0 with endPort', ingressPort({ port: 0, endPort: 10 }), [`${P}.port: Invalid value: 0: ${RANGE}`]],
  [
    'port name too long',
    ingressPort({ port: 'abcdefghijklmnop' }),
    [`${P}.port: Invalid value: "abcdefghijklmnop": must be no more than 15 characters`],
  ],
  [
    'port name upper case',
    ingressPort({ port: 'HTTP' }),
    [
      `${P}.port: Invalid value: "HTTP": ${PORT_CHARSET}`,
      `${P}.port: Invalid value: "HTTP": must contain at least one letter (a-z)`,
    ],
  ],
  [
    'quoted number is a name',
    ingressPort({ port: '80' }),
    [`${P}.port: Invalid value: "80": must contain at least one letter (a-z)`],
  ],
  [
    'port name with consecutive hyphens',
    ingressPort({ port: 'a--b' }),
    [`${P}.port: Invalid value: "a--b": must not contain consecutive hyphens`],
  ],
  [
    'port name starts with a hyphen',
    ingressPort({ port: '-http' }),
    [`${P}.port: Invalid value: "-http": must not begin or end with a hyphen`],
  ],
  [
    'port name ends with a hyphen',
    ingressPort({ port: 'http-' }),
    [`${P}.port: Invalid value: "http-": must not begin or end with a hyphen`],
  ],
  [
    'port name with underscore',
    ingressPort({ port: 'my_port' }),
    [`${P}.port: Invalid value: "my_port": ${PORT_CHARSET}`],
  ],
  [
    'empty port name',
    ingressPort({ port: '' }),
    [
      `${P}.port: Invalid value: "": ${PORT_CHARSET}`,
      `${P}.port: Invalid value: "": must contain at least one letter (a-z)`,
    ],
  ],
  // peers
  ['empty ingress peer', fromPeer({}), [`${F}: Required value: must specify a peer`]],
  ['empty egress peer', toPeer({}), ['spec.egress[0].to[0]: Required value: must specify a peer']],
  [
    'ipBlock with podSelector',
    fromPeer({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }),
    [`${F}: Forbidden: may not specify both ipBlock and another peer`],
  ],
  [
    'ipBlock with namespaceSelector',
    toPeer({ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }),
    ['spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer'],
  ],
  ['ipBlock without cidr', fromPeer({ ipBlock: { except: ['10.0.0.0/24'] } }), [`${F}.ipBlock.cidr: Required value`]],
  ['ipBlock with empty cidr', ipBlock(''), [`${F}.ipBlock.cidr: Required value`]],
  ['cidr without prefix', ipBlock('10.0.0.0'), [`${F}.ipBlock.cidr: Invalid value: "10.0.0.0": ${CIDR}`]],
  ['cidr prefix too long', ipBlock('10.0.0.0/33'), [`${F}.ipBlock.cidr: Invalid value: "10.0.0.0/33": ${CIDR}`]],
  ['cidr octet too large', ipBlock('300.0.0.0/8'), [`${F}.ipBlock.cidr: Invalid value: "300.0.0.0/8": ${CIDR}`]],
  ['IPv6 prefix too long', ipBlock('fe80::/129'), [`${F}.ipBlock.cidr: Invalid value: "fe80::/129": ${CIDR}`]],
  ['cidr not an address', ipBlock('foo'), [`${F}.ipBlock.cidr: Invalid value: "foo": ${CIDR}`]],
  ['cidr with a zone', ipBlock('fe80::1%eth0/64'), [`${F}.ipBlock.cidr: Invalid value: "fe80::1%eth0/64": ${CIDR}`]],
  [
    'except outside cidr',
    ipBlock('10.0.0.0/16', ['10.1.0.0/24']),
    [`${F}.ipBlock.except[0]: Invalid value: "10.1.0.0/24": ${SUBSET}`],
  ],
  [
    'except equal to cidr',
    ipBlock('10.0.0.0/16', ['10.0.0.0/16']),
    [`${F}.ipBlock.except[0]: Invalid value: "10.0.0.0/16": ${SUBSET}`],
  ],
  [
    'except wider than cidr',
    ipBlock('10.0.0.0/16', ['10.0.0.0/8']),
    [`${F}.ipBlock.except[0]: Invalid value: "10.0.0.0/8": ${SUBSET}`],
  ],
  [
    'except of the other family',
    ipBlock('10.0.0.0/8', ['2001:db8::/64']),
    [`${F}.ipBlock.except[0]: Invalid value: "2001:db8::/64": ${SUBSET}`],
  ],
  [
    'except not a CIDR',
    ipBlock('10.0.0.0/8', ['10.0.0.300/32']),
    [`${F}.ipBlock.except[0]: Invalid value: "10.0.0.300/32": ${CIDR}`],
  ],
  [
    'second except bad',
    ipBlock('10.0.0.0/8', ['10.1.0.0/16', '11.0.0.0/16']),
    [`${F}.ipBlock.except[1]: Invalid value: "11.0.0.0/16": ${SUBSET}`],
  ],
  // selectors
  ['In without values', podSelector(expr('app', 'In')), [`${E}.values: Required value: ${IN_VALUES}`]],
  ['NotIn with empty values', podSelector(expr('app', 'NotIn', [])), [`${E}.values: Required value: ${IN_VALUES}`]],
  ['Exists with values', podSelector(expr('app', 'Exists', ['a'])), [`${E}.values: Forbidden: ${EXISTS_VALUES}`]],
  [
    'DoesNotExist with values',
    podSelector(expr('app', 'DoesNotExist', ['a'])),
    [`${E}.values: Forbidden: ${EXISTS_VALUES}`],
  ],
  [
    'unknown operator',
    podSelector(expr('app', 'Equals', ['a'])),
    [`${E}.operator: Invalid value: "Equals": not a valid selector operator`],
  ],
  [
    'operator is case-sensitive',
    podSelector(expr('app', 'in', ['a'])),
    [`${E}.operator: Invalid value: "in": not a valid selector operator`],
  ],
  [
    'empty key',
    podSelector(expr('', 'Exists')),
    [`${E}.key: Invalid value: "": name part must be non-empty`, `${E}.key: Invalid value: "": ${NAME_PART}`],
  ],
  ['key with a space', podSelector(expr('app name', 'Exists')), [`${E}.key: Invalid value: "app name": ${NAME_PART}`]],
  [
    'key with upper-case prefix',
    podSelector(expr('Example.com/app', 'Exists')),
    [`${E}.key: Invalid value: "Example.com/app": prefix part ${SUBDOMAIN}`],
  ],
  [
    'key with empty prefix',
    podSelector(expr('/app', 'Exists')),
    [`${E}.key: Invalid value: "/app": prefix part must be non-empty`],
  ],
  ['key with two slashes', podSelector(expr('a/b/c', 'Exists')), [`${E}.key: Invalid value: "a/b/c": ${QUALIFIED}`]],
  [
    'key name too long',
    podSelector(expr('k'.repeat(64), 'Exists')),
    [`${E}.key: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`],
  ],
  [
    'bad matchLabels value',
    podSelector({ matchLabels: { app: 'hello world' } }),
    [`spec.podSelector.matchLabels: Invalid value: "hello world": ${LABEL_VALUE}`],
  ],
  [
    'matchLabels value too long',
    podSelector({ matchLabels: { app: 'v'.repeat(64) } }),
    [`spec.podSelector.matchLabels: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`],
  ],
  [
    'bad matchLabels key',
    podSelector({ matchLabels: { '-app': 'web' } }),
    [`spec.podSelector.matchLabels: Invalid value: "-app": ${NAME_PART}`],
  ],
  [
    'bad expression value',
    podSelector(expr('app', 'In', ['ok', 'a b'])),
    [`${E}.values[1]: Invalid value: "a b": ${LABEL_VALUE}`],
  ],
  [
    'peer namespaceSelector operator',
    fromPeer({ namespaceSelector: expr('team', 'Matches', ['a']) }),
    [`${F}.namespaceSelector.matchExpressions[0].operator: Invalid value: "Matches": not a valid selector operator`],
  ],
  [
    'egress peer podSelector label',
    toPeer({ podSelector: { matchLabels: { app: 'a/b' } } }),
    [`spec.egress[0].to[0].podSelector.matchLabels: Invalid value: "a/b": ${LABEL_VALUE}`],
  ],
  // policyTypes
  [
    'policyType in lower case',
    netpol({ podSelector: {}, policyTypes: ['ingress'] }),
    ['spec.policyTypes[0]: Unsupported value: "ingress": supported values: "Ingress", "Egress"'],
  ],
  [
    'second policyType unknown',
    netpol({ podSelector: {}, policyTypes: ['Ingress', 'Both'] }),
    ['spec.policyTypes[1]: Unsupported value: "Both": supported values: "Ingress", "Egress"'],
  ],
  [
    'three policyTypes',
    netpol({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }),
    [
      'spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: ' +
        'may not specify more than two policyTypes',
    ],
  ],
  // metadata
  [
    'missing name',
    netpol({ podSelector: {} }, { namespace: 'x' }),
    ['metadata.name: Required value: name or generateName is required'],
  ],
  [
    'name with upper case and underscore',
    netpol({ podSelector: {} }, { name: 'Allow_All', namespace: 'x' }),
    [`metadata.name: Invalid value: "Allow_All": ${SUBDOMAIN}`],
  ],
  [
    'bad namespace',
    netpol({ podSelector: {} }, { name: 'p', namespace: 'My_NS' }),
    [`metadata.namespace: Invalid value: "My_NS": ${DNS_LABEL}`],
  ],
  [
    'bad object label',
    netpol({ podSelector: {} }, { name: 'p', namespace: 'x', labels: { team: 'a b' } }),
    [`metadata.labels: Invalid value: "a b": ${LABEL_VALUE}`],
  ],
  // structural decoding
  ['misspelt field', netpol({ podSelector: {}, ingres: [] }), ['unknown field "spec.ingres"']],
  ['misspelt peer field', fromPeer({ podselector: {} }), [`unknown field "${F}.podselector"`]],
  [
    'selector written as a string',
    netpol({ podSelector: 'app=web' }),
    ['spec.podSelector: Invalid value: "app=web": must be of type object'],
  ],
  [
    'label value written as a number',
    podSelector({ matchLabels: { version: 1.5 } }),
    [
      'spec.podSelector.matchLabels.version: Invalid value: 1.5: must be of type string ' +
        '(unquoted numbers are numbers in YAML, and 1.10 reads as 1.1: quote the value)',
    ],
  ],
  [
    'YAML 1.1 boolean where a string belongs',
    podSelector({ matchLabels: { enabled: true } }),
    [
      'spec.podSelector.matchLabels.enabled: Invalid value: true: must be of type string ' +
        '(unquoted y, yes, on, n, no and off are booleans in YAML: quote the value)',
    ],
  ],
  [
    'fractional port',
    ingressPort({ port: 80.5 }),
    [`${P}.port: Invalid value: 80.5: must be of type integer or string`],
  ],
  [
    'rules written as an object',
    netpol({ podSelector: {}, ingress: { from: [] } }),
    ['spec.ingress: Invalid value: {"from":[]}: must be of type array'],
  ],
  // pods and workloads
  ['container port 0', pod([{ containerPort: 0 }]), ['spec.containers[0].ports[0].containerPort: Required value']],
  [
    'container port too large',
    pod([{ containerPort: 70000 }]),
    [`spec.containers[0].ports[0].containerPort: Invalid value: 70000: ${RANGE}`],
  ],
  [
    'duplicate port name',
    pod([
      { name: 'http', containerPort: 80 },
      { name: 'http', containerPort: 81 },
    ]),
    ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
  ],
  [
    'container port protocol',
    pod([{ containerPort: 80, protocol: 'HTTP' }]),
    ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
  ],
  ['pod label value', pod([], { app: 'web app' }), [`metadata.labels: Invalid value: "web app": ${LABEL_VALUE}`]],
  [
    'template label value',
    deployment({ app: '-web' }, []),
    [`spec.template.metadata.labels: Invalid value: "-web": ${LABEL_VALUE}`],
  ],
  [
    'template port name',
    deployment({ app: 'web' }, [{ name: 'Web', containerPort: 80 }]),
    [`spec.template.spec.containers[0].ports[0].name: Invalid value: "Web": ${PORT_CHARSET}`],
  ],
  [
    'a pod on a node whose name is a path (ValidateNodeName: a DNS subdomain)',
    { ...pod([]), spec: { nodeName: 'x/../../pwned', containers: [{ name: 'c' }] } },
    [`spec.nodeName: Invalid value: "x/../../pwned": ${SUBDOMAIN}`],
  ],
  [
    'a node name after a port problem, in ValidatePodSpec order',
    { ...pod([]), spec: { nodeName: 'Node_1', containers: [{ name: 'c', ports: [{ containerPort: 0 }] }] } },
    [
      'spec.containers[0].ports[0].containerPort: Required value',
      `spec.nodeName: Invalid value: "Node_1": ${SUBDOMAIN}`,
    ],
  ],
  [
    'template node name too long',
    {
      ...deployment({ app: 'web' }, []),
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { nodeName: 'n'.repeat(254), containers: [] } } },
    },
    [`spec.template.spec.nodeName: Invalid value: "${'n'.repeat(254)}": must be no more than 253 characters`],
  ],
  [
    'namespace name',
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Prod' } },
    [`metadata.name: Invalid value: "Prod": ${DNS_LABEL}`],
  ],
];

const validCases: [string, JSONObject][] = [
  ['a node name with dots', { ...pod([]), spec: { nodeName: 'pool-a.node-1', containers: [{ name: 'c' }] } }],
  ['no node name yet', { ...pod([]), spec: { nodeName: '', containers: [{ name: 'c' }] } }],
  ['endPort equal to port', ingressPort({ port: 80, endPort: 80 })],
  ['endPort range', ingressPort({ protocol: 'UDP', port: 32000, endPort: 32768 })],
  ['an empty port entry: all TCP ports', ingressPort({})],
  ['protocol only', ingressPort({ protocol: 'SCTP' })],
  ['named port', ingressPort({ port: 'http-alt' })],
  ['port 65535', ingressPort({ port: 65535 })],
  ['duplicate policyTypes', netpol({ podSelector: {}, policyTypes: ['Ingress', 'Ingress'] })],
  ['except on the edge of its cidr', ipBlock('10.0.0.0/16', ['10.0.255.0/24', '10.0.0.0/17'])],
  ['cidr with host bits set', ipBlock('10.0.0.1/8')],
  ['IPv4 octets with leading zeros', ipBlock('010.000.0.0/8')],
  ['IPv6 with except', ipBlock('2001:db8::/32', ['2001:db8:1::/48'])],
  ['the whole address space', ipBlock('0.0.0.0/0', ['10.0.0.0/8'])],
  ['prefixed label key', podSelector({ matchLabels: { 'app.kubernetes.io/name': 'web' } })],
  ['empty label value', podSelector({ matchLabels: { tier: '' } })],
  ['DoesNotExist without values', podSelector(expr('legacy', 'DoesNotExist'))],
  ['both selectors in one peer', fromPeer({ podSelector: {}, namespaceSelector: {} })],
  ['allow-all rule', netpol({ podSelector: {}, ingress: [{}] })],
  ['deny-all both ways', netpol({ podSelector: {}, ingress: [], egress: [], policyTypes: ['Ingress', 'Egress'] })],
  ['empty from list', netpol({ podSelector: {}, ingress: [{ from: [], ports: [] }] })],
  [
    'a null rule decodes as an empty rule, as in Go',
    netpol({ podSelector: {}, ingress: [null], egress: [{ ports: [null], to: null }] }),
  ],
  ['null fields mean absent', netpol({ podSelector: null, ingress: [{ from: null, ports: null }], egress: null })],
  ['missing namespace', netpol({ podSelector: {} }, { name: 'p' })],
  [
    'status and server fields',
    {
      ...netpol({ podSelector: {} }, { name: 'p', namespace: 'x', uid: 'u', resourceVersion: '1', generation: 2 }),
      status: {},
    },
  ],
  [
    'pod with named ports',
    pod([
      { name: 'http', containerPort: 80 },
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
    ]),
  ],
];

const messagesOf = (raw: JSONObject): string[] => validateObject(objectFromData(raw)).map((d) => d.message);

describe('apiserver-parity validation', () => {
  it(`covers at least 60 invalid inputs (${invalidCases.length})`, () => assert.ok(invalidCases.length >= 60));

  for (const [name, raw, expected] of invalidCases) {
    it(`rejects: ${name}`, () => assert.deepEqual(messagesOf(raw), expected));
  }

  for (const [name, raw] of validCases) {
    it(`accepts: ${name}`, () => assert.deepEqual(messagesOf(raw), []));
  }

  it('places each error on the line of the field it concerns', () => {
    const text = [
      'apiVersion: networking.k8s.io/v1', // 1
      'kind: NetworkPolicy', // 2
      'metadata:', // 3
      '  name: p', // 4
      '  namespace: x', // 5
      'spec:', // 6
      '  podSelector: {}', // 7
      '  ingress:', // 8
      '    - from:', // 9
      '        - {}', // 10
      '      ports:', // 11
      '        - port: 80', // 12
      '          endPort: 70', // 13
    ].join('\n');
    const { objects } = loadText(text, 'p.yaml');
    const located = validateObject(objects[0]!).map((d) => `${d.location.file}:${d.location.line} ${d.message}`);
    assert.deepEqual(located, [
      'p.yaml:13 spec.ingress[0].ports[0].endPort: Invalid value: 70: must be greater than or equal to `port`',
      'p.yaml:10 spec.ingress[0].from[0]: Required value: must specify a peer',
    ]);
  });

  it('says to quote a version such as 1.10, which YAML reads as the number 1.1, where a string belongs', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web',
      '  labels:',
      '    version: 1.10',
      'spec: {containers: [{name: c}]}',
    ].join('\n');
    const { objects } = loadText(text, 'pod.yaml');
    const located = validateObject(objects[0]!).map((d) => `${d.location.file}:${d.location.line} ${d.message}`);
    assert.deepEqual(located, [
      'pod.yaml:6 metadata.labels.version: Invalid value: 1.1: must be of type string ' +
        '(unquoted numbers are numbers in YAML, and 1.10 reads as 1.1: quote the value)',
    ]);
  });

  it('summarises an object as the API error does', () => {
    const object = objectFromData(fromPeer({}));
    const diagnostics = validateObject(object);
    assert.equal(
      formatInvalidObject(object, diagnostics),
      'NetworkPolicy.networking.k8s.io "x/p" is invalid: spec.ingress[0].from[0]: Required value: must specify a peer',
    );
  });
});
