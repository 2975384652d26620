import { stringify } from 'yaml';
import {
  type ContrailEndpoint,
  type ContrailRendering,
  type ContrailRule,
  type ContrailService,
  sequenceNumber,
} from '../render/contrail.js';

export const CONTRAIL_FORMATS = ['yaml', 'json', 'table'] as const;
export type ContrailFormat = (typeof CONTRAIL_FORMATS)[number];

const PARENT = 'default-policy-management';

export function formatContrail(rendering: ContrailRendering, format: ContrailFormat): string {
  if (format === 'table') return contrailTables(rendering);
  const objects = contrailObjects(rendering);
  return format === 'json' ? `${JSON.stringify(objects, null, 2)}\n` : stringify(objects);
}

/**
 * The objects as Contrail's API holds them (tf-api-client schema): every
 * rule says endpoint_1 > endpoint_2, so an ingress rule reads peer > pods.
 */
export function contrailObjects(rendering: ContrailRendering): object {
  const endpoint = (e: ContrailEndpoint): object =>
    e.kind === 'any' ? { any: true } : e.kind === 'tags' ? { tags: e.tags } : { address_group: `${PARENT}:${e.name}` };
  const rule = (r: ContrailRule): object => ({
    fq_name: [PARENT, r.name],
    action_list: { simple_action: r.action },
    service: { protocol: r.service.protocol, dst_ports: { start_port: r.service.start, end_port: r.service.end } },
    endpoint_1: endpoint(r.direction === 'ingress' ? r.peer : r.selected),
    direction: '>',
    endpoint_2: endpoint(r.direction === 'ingress' ? r.selected : r.peer),
  });
  return {
    tags: rendering.tags.map((t) => ({ fq_name: [`${t.key}=${t.value}`], tag_type_name: t.key, tag_value: t.value })),
    address_groups: rendering.addressGroups.map((g) => {
      const [ip, length] = g.prefix.split('/');
      return {
        fq_name: [PARENT, g.name],
        address_group_prefix: { subnet: [{ ip_prefix: ip, ip_prefix_len: Number(length) }] },
      };
    }),
    firewall_rules: rendering.policies.flatMap((p) => p.rules.map(rule)),
    firewall_policies: rendering.policies.map((p) => ({
      fq_name: [PARENT, p.name],
      firewall_rule_refs: p.rules.map((r, i) => ({ to: [PARENT, r.name], attr: { sequence: sequenceNumber(i) } })),
    })),
    application_policy_set: {
      fq_name: [PARENT, rendering.cluster],
      firewall_policy_refs: rendering.policies.map((p, i) => ({
        to: [PARENT, p.name],
        attr: { sequence: sequenceNumber(i) },
      })),
    },
  };
}

/** The four tables of the CN2 documentation: Tags, Address Groups, Firewall Rules, Firewall Policy. */
function contrailTables(rendering: ContrailRendering): string {
  const rules = rendering.policies.flatMap((p) => p.rules);
  return [
    table(
      'Table 1: Tags',
      ['Key', 'Value'],
      rendering.tags.map((t) => [t.key, t.value]),
    ),
    table(
      'Table 2: Address Groups',
      ['Name', 'Prefix'],
      rendering.addressGroups.map((g) => [g.name, g.prefix]),
    ),
    table(
      'Table 3: Firewall Rules',
      ['Rule Name', 'Action', 'Service', 'Endpoint1', 'Direction', 'Endpoint2'],
      rules.map((r) => [r.name, r.action, service(r.service), describe(r.selected), r.direction, describe(r.peer)]),
    ),
    table(
      'Table 4: Firewall Policy',
      ['Name', 'Rules'],
      rendering.policies.map((p) => [p.name, p.rules.map((r) => r.name).join(', ')]),
    ),
  ].join('\n');
}

const service = (s: ContrailService): string =>
  s.protocol === 'any' ? 'any' : `${s.protocol}:${s.start === s.end ? s.start : `${s.start}-${s.end}`}`;

const describe = (e: ContrailEndpoint): string =>
  e.kind === 'any' ? 'any' : e.kind === 'tags' ? e.tags.join(' && ') : `Address Group: ${e.prefix}`;

function table(title: string, header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [title, line(header), line(header.map(() => '---')), ...rows.map(line)].map((l) => `${l}\n`).join('');
}
