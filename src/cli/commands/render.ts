import { type Command, Option } from 'commander';
import { formatLocation } from '../../util/location.js';
import { renderContrail } from '../../render/contrail.js';
import { reconcileIroncore } from '../../render/ironcore.js';
import { stringify } from 'yaml';
import { CONTRAIL_FORMATS, type ContrailFormat, formatContrail } from '../../report/contrail.js';
import { buildNftRuleset, formatNftRuleset } from '../../render/nftables.js';
import { EXIT, type Io } from '../io.js';
import {
  type EngineFlags,
  type InputFlags,
  addInputOptions,
  addEngineOptions,
  clusterOrReport,
  engineOptionsFrom,
  loadOrReport,
  outputOption,
} from '../common.js';

export function registerRender(program: Command, io: Io, setExit: (code: number) => void): void {
  const render = program.command('render').description('render policies as real firewall configuration');
  const nftables = render
    .command('nftables')
    .description("print one node's nftables ruleset, ready for nft -f (IPv4 and IPv6 in one inet table)")
    .argument('<paths...>', 'files, directories, or - for standard input')
    .requiredOption('--node <name>', 'the node whose endpoints the ruleset enforces')
    .option('--pod-cidr <cidr...>', "the node's pod networks; local addresses no endpoint holds yet are dropped")
    .option('--table <name>', 'the nftables table', 'netpol');
  addInputOptions(nftables);
  addEngineOptions(nftables, { hostNetworkPods: false }).action(
    (paths: string[], opts: { node: string; podCidr?: string[]; table: string } & EngineFlags & InputFlags) => {
      const cluster = clusterOrReport(paths, io, opts);
      if (cluster === undefined) return setExit(EXIT.error);
      if (![...cluster.endpoints].some((e) => e.node === opts.node) && !cluster.nodes.has(opts.node)) {
        io.err(`netpol: warning: no endpoint is on node ${JSON.stringify(opts.node)}; the ruleset isolates nothing\n`);
      }
      const podCIDRs = opts.podCidr ?? cluster.nodes.get(opts.node)?.podCIDRs ?? [];
      const ruleset = buildNftRuleset(cluster, {
        node: opts.node,
        podCIDRs,
        table: opts.table,
        engine: engineOptionsFrom(opts),
      });
      io.out(formatNftRuleset(ruleset));
      setExit(EXIT.ok);
    },
  );

  const contrail = render
    .command('contrail')
    .description(
      'translate NetworkPolicies into Juniper CN2 (Contrail) tags, address groups, firewall rules and policies',
    )
    .argument('<paths...>', 'files, directories, or - for standard input')
    .addOption(
      outputOption(CONTRAIL_FORMATS, {
        default: 'yaml',
        text: 'table',
        description: "yaml or json (Contrail API objects), or table (the CN2 documentation's four tables; also txt)",
      }),
    )
    .option(
      '--cluster <name>',
      'names the application policy set and the cluster-wide deny-all and allow-all policies',
      'k8s',
    );
  addInputOptions(contrail).action(
    (paths: string[], opts: { output: ContrailFormat; cluster: string } & InputFlags) => {
      const loaded = loadOrReport(paths, io, opts);
      if (loaded === undefined) return setExit(EXIT.error);
      const rendering = renderContrail(loaded.cluster, { cluster: opts.cluster });
      for (const w of rendering.warnings) io.err(`${formatLocation(w.origin)}: warning: ${w.message}\n`);
      io.out(formatContrail(rendering, opts.output));
      setExit(EXIT.ok);
    },
  );

  const ironcore = render
    .command('ironcore')
    .description(
      "reconcile Ironcore NetworkPolicies as ironcore-net's apinetlet would: " +
        'apinet NetworkPolicy, NetworkPolicyRule, status conditions',
    )
    .argument('<paths...>', 'files, directories, or - for standard input')
    .addOption(
      new Option('-o, --output <format>', 'yaml (documents) or json (a List)')
        .choices(['yaml', 'json'])
        .default('yaml'),
    )
    .option('--apinet-namespace <name>', 'the namespace apinetlet writes apinet objects into', 'apinet');
  addInputOptions(ironcore).action(
    (paths: string[], opts: { output: 'yaml' | 'json'; apinetNamespace: string } & InputFlags) => {
      const loaded = loadOrReport(paths, io, opts);
      if (loaded === undefined) return setExit(EXIT.error);
      const documents = reconcileIroncore(loaded.objects, loaded.cluster, {
        apinetNamespace: opts.apinetNamespace,
      }).flatMap((r) => [r.policy, ...r.apinet]);
      if (documents.length === 0)
        io.err('netpol: warning: no Ironcore NetworkPolicy (networking.ironcore.dev/v1alpha1) in the input\n');
      io.out(
        opts.output === 'json'
          ? `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: documents }, null, 2)}\n`
          : documents.map((d) => stringify(d)).join('---\n'),
      );
      setExit(EXIT.ok);
    },
  );
}
