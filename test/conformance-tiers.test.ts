import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeConnectivity } from '../src/engine/connectivity.js';
import { endpointFlow } from '../src/engine/flow.js';
import { decide } from '../src/engine/verdict.js';
import { buildCluster } from '../src/policy/cluster.js';
import { validateObjects } from '../src/validate/validate.js';
import { type TierSuite, readTierCases, stepObjects } from './support/tier-conformance.js';

/**
 * The upstream conformance suites of the cluster-wide tiers, every probe through the engine twice: as one flow
 * (`check`), and as what the identity-level connectivity of `list` allows between the two pods.
 */
const SUITES: readonly { suite: TierSuite; tests: number; steps: number; probes: number }[] = [
  { suite: 'anp-banp', tests: 24, steps: 92, probes: 289 },
  { suite: 'cnp', tests: 24, steps: 96, probes: 301 },
];

for (const { suite, tests, steps, probes } of SUITES) {
  describe(`upstream ${suite} conformance, through the engine`, () => {
    const cases = readTierCases(suite);

    it(`has all ${tests} tests, ${steps} steps and ${probes} probes`, () => {
      assert.equal(cases.length, tests);
      assert.equal(
        cases.reduce((n, c) => n + c.steps.length, 0),
        steps,
      );
      assert.equal(
        cases.reduce((n, c) => n + c.steps.reduce((m, s) => m + s.probes.length, 0), 0),
        probes,
      );
    });

    for (const testCase of cases) {
      it(`${testCase.file}: ${testCase.name}`, () => {
        testCase.steps.forEach((step, s) => {
          const objects = stepObjects(suite, step, testCase.file);
          assert.deepEqual(
            validateObjects(objects).map((d) => d.message),
            [],
            `step ${s + 1}: valid`,
          );
          const cluster = buildCluster(objects);
          const connectivity = computeConnectivity(cluster);
          const identityOf = new Map(
            connectivity.identities.flatMap((identity) => identity.endpoints.map((e) => [e.id, identity] as const)),
          );
          for (const probe of step.probes) {
            const part = step.part ? ` ${step.part}` : '';
            const flow = `${probe.from} -> ${probe.to} ${probe.protocol} ${probe.port}`;
            const where = `step ${s + 1} (${step.note}${part}): ${flow}`;
            const src = cluster.endpointById.get(probe.from);
            const dst = cluster.endpointById.get(probe.to);
            assert.ok(src !== undefined && dst !== undefined, `${where}: both pods are in the model`);
            const verdict = decide(cluster, endpointFlow(src, dst, probe.protocol, probe.port));
            assert.equal(verdict.allowed ? 'allow' : 'deny', probe.expect, `${where}: check`);
            const pair = connectivity.pairs.find(
              (p) => p.src === identityOf.get(src.id) && p.dst === identityOf.get(dst.id),
            );
            const listed = pair?.conns.has(probe.protocol, probe.port) ?? false;
            assert.equal(listed ? 'allow' : 'deny', probe.expect, `${where}: list`);
          }
        });
      });
    }
  });
}
