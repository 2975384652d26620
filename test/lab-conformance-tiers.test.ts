import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Lab } from '../src/dataplane/lab/lab.js';
import { endpointFlow } from '../src/engine/flow.js';
import { compareTruthTables, formatTruthTable } from '../src/engine/truthtable.js';
import { decide } from '../src/engine/verdict.js';
import { buildCluster } from '../src/policy/cluster.js';
import { forwardChainHandles } from './support/lab-e2e.js';
import { requireKernelTools } from './support/root.js';
import { type TierProbe, type TierSuite, readTierCases, stepObjects } from './support/tier-conformance.js';

/**
 * The upstream suites of the cluster-wide tiers on real packets: every step's objects go to the lab (the model with
 * the step's overrides, and the policies it lists), where each node's agent enforces its nftables ruleset; then for
 * each TCP or UDP port the step probes, the lab makes real connections between every pair of pods, centaur's
 * hostNetwork replicas included. Each probe must come out as upstream expects, as the engine decides, and as a
 * connection to a server (an allowed probe is answered, not refused); every other pair of the table as the engine
 * predicts. The kernel has no SCTP: those probes are counted as not run, never as passed.
 *
 * The pods serve what upstream's images serve without declaring it (TCP 8080, UDP 5353): the lab's pods serve every
 * TCP and UDP port the suite's probes name, beside their declared container ports. The centaurs, in their node's
 * network, serve their declared ports, which are the only ones probed on them.
 */
const SUITES: readonly { suite: TierSuite; lab: string }[] = [
  { suite: 'anp-banp', lab: 'anpbanp' },
  { suite: 'cnp', lab: 'cnp' },
];

const key = (p: TierProbe): string => `${p.protocol} ${p.port}`;

for (const { suite, lab: name } of SUITES) {
  describe(`upstream ${suite} conformance on real packets (lab)`, () => {
    const cases = readTierCases(suite);
    const probes = cases.flatMap((c) => c.steps.flatMap((s) => s.probes));
    const served = [...new Set(probes.filter((p) => p.protocol !== 'SCTP').map((p) => `${p.port}/${p.protocol}`))];
    const tally = { run: 0, passed: 0, sctpNotRun: 0, tables: 0 };
    let lab: Lab;
    let handles: string[];

    before(() => {
      requireKernelTools();
      Lab.down(name); // whatever an earlier, killed run left behind
      const [first] = cases[0]!.steps;
      lab = Lab.up(
        name,
        stepObjects(suite, { ...first!, apply: [] }, 'model.yaml').map((o) => o.raw),
        { serve: served },
      );
      handles = forwardChainHandles(lab);
    });

    after(() => {
      console.log(
        `lab ${suite} conformance: ${tally.run} TCP/UDP probes run on real packets, ${tally.passed} passed; ` +
          `${tally.sctpNotRun} SCTP probes not run; ${tally.tables} truth tables equal to the engine's`,
      );
      Lab.down(name);
    });

    it(`hosts every pod of the model, the hostNetwork centaurs in their nodes' namespaces`, () => {
      assert.equal(lab.plan.pods.length, 10);
      for (const id of ['centaur-0', 'centaur-1'].map((p) => `network-policy-conformance-forbidden-forrest/${p}`)) {
        const pod = lab.plan.pods.find((p) => p.id === id)!;
        const node = lab.plan.nodes.find((n) => n.name === pod.node)!;
        assert.equal(pod.netns, node.netns, id);
        assert.equal(pod.ip, node.address, id);
      }
    });

    for (const testCase of cases) {
      it(`${testCase.file}: ${testCase.name}`, async () => {
        for (const [s, step] of testCase.steps.entries()) {
          const objects = stepObjects(suite, step, testCase.file);
          lab.update(objects.map((o) => o.raw));
          const cluster = buildCluster(objects);
          const groups = new Map<string, TierProbe[]>();
          for (const probe of step.probes) groups.set(key(probe), [...(groups.get(key(probe)) ?? []), probe]);
          await Promise.all(
            [...groups.values()].map(async (group) => {
              const { protocol, port } = group[0]!;
              const result = await lab.probe(protocol, port);
              const where = `step ${s + 1} (${step.note}${step.part ? ` ${step.part}` : ''}) ${protocol} ${port}`;
              if (protocol === 'SCTP') {
                assert.equal(result.observed, undefined, 'SCTP is never reported as probed');
                tally.sctpNotRun += group.length;
                return;
              }
              const observed = result.observed!;
              assert.deepEqual(
                compareTruthTables(result.predicted, observed),
                [],
                `${where}: the kernel and the engine, pair by pair; observed:\n${formatTruthTable(observed)}`,
              );
              tally.tables++;
              for (const probe of group) {
                const flow = `${where}: ${probe.from} -> ${probe.to}`;
                const cell =
                  observed.cells[observed.sources.indexOf(probe.from)]?.[observed.destinations.indexOf(probe.to)];
                assert.notEqual(cell, undefined, `${flow}: both pods are in the lab`);
                tally.run++;
                assert.equal(cell ? 'allow' : 'deny', probe.expect, `${flow}: on real packets`);
                const src = cluster.endpointById.get(probe.from)!;
                const dst = cluster.endpointById.get(probe.to)!;
                const verdict = decide(cluster, endpointFlow(src, dst, protocol, port));
                assert.equal(verdict.allowed ? 'allow' : 'deny', probe.expect, `${flow}: the engine`);
                if (probe.expect === 'allow')
                  assert.ok(
                    !result.refused.includes(`${probe.from} -> ${probe.to}`),
                    `${flow}: a server answered (the connection was not refused)`,
                  );
                tally.passed++;
              }
            }),
          );
        }
      });
    }

    it('took every step through the node agents as deltas: the forward base chains were never made again', () => {
      assert.ok(
        handles.every((h) => !h.endsWith('#missing')),
        handles.join(' '),
      );
      assert.deepEqual(forwardChainHandles(lab), handles);
      for (const node of lab.plan.nodes) {
        const status = lab.agentStatus(node.name);
        assert.ok(
          status !== undefined && status.error === undefined,
          `agent of ${node.name}: ${JSON.stringify(status)}`,
        );
      }
      assert.equal(tally.run + tally.sctpNotRun, probes.length, 'every probe of the suite, run or counted as not run');
      assert.equal(tally.passed, tally.run);
    });
  });
}
