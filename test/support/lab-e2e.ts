import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Lab, type LabSource } from '../../src/dataplane/lab/lab.js';
import { compareTruthTables, formatTruthTable, parseTruthTable } from '../../src/engine/truthtable.js';
import { type ConformanceCase, applyStep, loadModel, readCases } from './conformance.js';
import { requireKernelTools } from './root.js';

/**
 * The upstream e2e cases on real packets: the lab enforces netpol's rendered nftables rules, its node agents
 * following the lab's manifests file or its API server, and every TCP and UDP expectation must hold. SCTP cannot
 * be sent on this kernel: those probes are counted as not run. `only` keeps the cases it accepts.
 */
/** The kernel's handles of every node's forward base chains: a chain deleted and created again gets a new one. */
export const forwardChainHandles = (lab: Lab): string[] =>
  lab.plan.nodes.flatMap((node) =>
    ['egress', 'ingress'].map((chain) => {
      const listing = spawnSync(
        'ip',
        ['netns', 'exec', node.netns, 'nft', '-a', 'list', 'chain', 'inet', 'netpol', chain],
        { encoding: 'utf8' },
      ).stdout;
      return `${node.name}/${chain}#${/# handle (\d+)/.exec(listing)?.[1] ?? 'missing'}`;
    }),
  );

export function replayE2E(lab: string, source: LabSource, only: (c: ConformanceCase) => boolean = () => true): void {
  const cases = readCases('k8s-e2e').filter(only);
  const model = loadModel('k8s-e2e');
  let running: Lab;
  let baseChainHandles: string[];

  const tally = { tables: 0, notRun: 0 };

  describe(`upstream e2e conformance on real packets (lab, agents following the ${source})`, () => {
    before(() => {
      requireKernelTools();
      Lab.down(lab); // whatever an earlier, killed run left behind
      running = Lab.up(
        lab,
        model.objects.map((o) => o.raw),
        { source },
      );
      baseChainHandles = forwardChainHandles(running);
    });

    after(() => {
      Lab.down(lab);
      console.log(
        `lab conformance (${source}): ${tally.tables} TCP/UDP truth tables held on real packets; ` +
          `${tally.notRun} SCTP tables not run`,
      );
    });

    for (const testCase of cases) {
      it(`${testCase.file}: ${testCase.name}`, async () => {
        let store = model;
        running.update(store.objects.map((o) => o.raw));
        for (const [s, step] of testCase.steps.entries()) {
          store = applyStep(store, step, testCase.file);
          running.update(store.objects.map((o) => o.raw));
          for (const probe of step.probes) {
            const { observed } = await running.probe(probe.protocol, probe.port);
            if (probe.protocol === 'SCTP') {
              assert.equal(observed, undefined, 'SCTP is never reported as probed');
              tally.notRun++;
              continue;
            }
            const expected = parseTruthTable(probe.expect);
            assert.deepEqual(
              compareTruthTables(expected, observed!),
              [],
              `step ${s + 1} ${probe.protocol} ${probe.port}, observed:\n${formatTruthTable(observed!)}`,
            );
            tally.tables++;
          }
        }
      });
    }

    it('every step went through the node agents as a delta, never a table rebuild', () => {
      assert.ok(
        baseChainHandles.every((h) => !h.endsWith('#missing')),
        baseChainHandles.join(' '),
      );
      assert.deepEqual(forwardChainHandles(running), baseChainHandles);
      for (const node of running.plan.nodes) {
        const status = running.agentStatus(node.name);
        assert.ok(
          status !== undefined && status.error === undefined,
          `agent of ${node.name}: ${JSON.stringify(status)}`,
        );
        assert.ok(status.applied > cases.length, `agent of ${node.name} applied ${status.applied} transactions`);
      }
    });
  });
}
