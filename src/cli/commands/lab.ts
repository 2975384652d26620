import { type Command, InvalidArgumentError, Option } from 'commander';
import { SEMANTICS, type Semantics } from '../../policy/legacy.js';
import type { Protocol } from '../../algebra/connset.js';
import { LAB_SOURCES, Lab, type LabSource } from '../../dataplane/lab/lab.js';
import { LAB_NAME_RULE, validLabName } from '../../dataplane/lab/plan.js';
import { compareTruthTables, formatTruthTable } from '../../engine/truthtable.js';
import { ObjectStore } from '../../model/store.js';
import { objectFromData } from '../../resources/source.js';
import { EXIT, type Io } from '../io.js';
import { type EngineFlags, engineOptionsFrom, objectsOrReport, parsePort, parseProtocol } from '../common.js';
import { plural } from '../../util/plural.js';

const DEFAULT_LAB = 'lab';

export function registerLab(program: Command, io: Io, setExit: (code: number) => void): void {
  const lab = program
    .command('lab')
    .description(
      'a cluster made of network namespaces on this machine, enforcing the rendered rules on real packets (needs root)',
    );
  const objectsFrom = (paths: string[]) => objectsOrReport(paths, io, {}, 'build a lab from');

  lab
    .command('up')
    .description(
      'build the lab from manifests: one namespace per node and per pod (a hostNetwork pod in its node), ' +
        'servers on every declared port',
    )
    .argument('<paths...>', 'files, directories, or - for standard input')
    .option('--name <lab>', "the lab's name", parseLabName, DEFAULT_LAB)
    .addOption(
      new Option('--semantics <model>', 'what the agents enforce: v1, or legacy (pre-1.7 namespace isolation)')
        .choices(SEMANTICS)
        .default('v1'),
    )
    .addOption(
      new Option(
        '--source <source>',
        "what the node agents follow: the lab's manifests file, or a test API server the lab starts on 127.0.0.1 " +
          '(lab apply then writes through the API)',
      )
        .choices(LAB_SOURCES)
        .default('file'),
    )
    .addOption(serveOption())
    .option('--no-ipblock-pod-ips', "ipBlocks never match pod addresses (Cilium's default); by default they do")
    .option('--no-local-node-egress', "subject egress to the pod's own node to policy; by default it is always allowed")
    .action(
      (
        paths: string[],
        opts: { name: string; semantics: Semantics; source: LabSource; serve?: string[] } & EngineFlags,
      ) => {
        const objects = objectsFrom(paths);
        if (objects === undefined) return setExit(EXIT.error);
        const built = Lab.up(
          opts.name,
          objects.map((o) => o.raw),
          {
            semantics: opts.semantics,
            engine: engineOptionsFrom(opts),
            serve: opts.serve ?? [],
            source: opts.source,
          },
        );
        io.out(
          `lab ${opts.name} is up: ${plural(built.plan.nodes.length, 'node')}, ` +
            `${plural(built.plan.pods.length, 'endpoint')}` +
            (opts.source === 'api' ? `; its API server: kubectl --kubeconfig ${built.kubeconfigFile}` : '') +
            '\n',
        );
        setExit(EXIT.ok);
      },
    );

  lab
    .command('apply')
    .description('create or replace objects in the running lab; pods and rules follow')
    .argument('<paths...>', 'files, directories, or - for standard input')
    .option('--name <lab>', "the lab's name", parseLabName, DEFAULT_LAB)
    .addOption(serveOption())
    .action((paths: string[], opts: { name: string; serve?: string[] }) => {
      const objects = objectsFrom(paths);
      if (objects === undefined) return setExit(EXIT.error);
      const running = Lab.open(opts.name);
      const store = ObjectStore.of(running.plan.objects.map((o) => objectFromData(o))).apply(objects);
      running.update(
        store.objects.map((o) => o.raw),
        opts.serve === undefined ? {} : { serve: opts.serve },
      );
      io.out(`applied ${plural(objects.length, 'object')} to lab ${opts.name}\n`);
      setExit(EXIT.ok);
    });

  lab
    .command('probe')
    .description("attempt real connections between every pair of pods and compare them with the engine's prediction")
    .requiredOption('--port <port>', 'destination port', parsePort)
    .option('--protocol <protocol>', 'TCP or UDP (SCTP is reported as not run)', parseProtocol, 'TCP' as Protocol)
    .option('--name <lab>', "the lab's name", parseLabName, DEFAULT_LAB)
    .action(async (opts: { port: number; protocol: Protocol; name: string }) => {
      const { observed, predicted, refused, notHosted } = await Lab.open(opts.name).probe(opts.protocol, opts.port);
      if (observed === undefined) {
        io.out(`${opts.protocol} ${opts.port}: not run: this kernel has no SCTP, so the lab cannot send it\n`);
        io.out(`the engine predicts:\n${formatTruthTable(predicted)}`);
        return setExit(EXIT.notRun);
      }
      io.out(formatTruthTable(observed));
      if (notHosted.length > 0) {
        io.out(
          `not probed: ${notHosted.join(', ')}: load balancers and virtual IPs front interfaces ` +
            'and send nothing of their own in the lab\n',
        );
      }
      if (refused.length > 0) {
        io.out(
          `${plural(refused.length, 'pair')} reached a port nothing listens on (refused, not dropped), ` +
            `shown as allowed: ${refused.slice(0, 3).join(', ')}${refused.length > 3 ? ', …' : ''}\n`,
        );
      }
      const differences = compareTruthTables(predicted, observed);
      const pairs = observed.sources.length * (observed.sources.length - 1);
      if (differences.length === 0) io.out(`matches the engine's prediction on all ${pairs} pairs\n`);
      else
        io.out(
          `differs from the engine's prediction on ${differences.length} of ${plural(pairs, 'pair')}:\n` +
            differences.map((d) => `  ${d}\n`).join(''),
        );
      setExit(differences.length === 0 ? EXIT.ok : EXIT.negative);
    });

  lab
    .command('down')
    .description('remove everything the lab created; safe to run twice or after a crash')
    .option('--name <lab>', "the lab's name", parseLabName, DEFAULT_LAB)
    .action((opts: { name: string }) => {
      Lab.down(opts.name);
      io.out(`lab ${opts.name} is down\n`);
      setExit(EXIT.ok);
    });
}

/** Extra ports for the pods to serve, as a test image serves ports it does not declare (`8080/TCP,5353/UDP`). */
function serveOption(): Option {
  return new Option(
    '--serve <ports>',
    'ports every pod serves beside its declared container ports, as 8080/TCP,5353/UDP ' +
      "(a hostNetwork pod serves its declared ports only: they are its node's)",
  ).argParser(parseServed);
}

function parseServed(text: string): string[] {
  return text.split(',').map((item) => {
    const match = /^(\d+)(?:\/(tcp|udp|sctp))?$/i.exec(item.trim());
    const port = Number(match?.[1]);
    if (match === null || port < 1 || port > 65535)
      throw new InvalidArgumentError('ports are numbers from 1 to 65535, each with /TCP or /UDP, as 8080/TCP,5353/UDP');
    const protocol = (match[2] ?? 'TCP').toUpperCase();
    if (protocol === 'SCTP') throw new InvalidArgumentError('SCTP cannot be served: this kernel has none');
    return `${port}/${protocol}`;
  });
}

function parseLabName(text: string): string {
  if (!validLabName(text)) throw new InvalidArgumentError(LAB_NAME_RULE);
  return text;
}
