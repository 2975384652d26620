import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectivityMatrix } from '../src/engine/matrix.js';
import { computeConnectivity } from '../src/engine/connectivity.js';
import { workloadConnections } from '../src/engine/connlist.js';
import { type TruthTable, compareTruthTables, formatTruthTable, parseTruthTable } from '../src/engine/truthtable.js';
import { buildCluster } from '../src/policy/cluster.js';
import { validateObjects } from '../src/validate/validate.js';
import { applyStep, loadModel, readCases } from './support/conformance.js';
import type { Protocol } from '../src/algebra/connset.js';

const cases = readCases('k8s-e2e');

describe('upstream Kubernetes e2e NetworkPolicy conformance', () => {
  it('has all 48 cases', () => assert.equal(cases.length, 48));

  for (const testCase of cases) {
    it(`${testCase.file}: ${testCase.name}`, () => {
      let store = loadModel('k8s-e2e');
      testCase.steps.forEach((step, s) => {
        store = applyStep(store, step, testCase.file);
        const invalid = validateObjects(store.objects);
        assert.deepEqual(
          invalid.map((d) => d.message),
          [],
          `step ${s + 1}: the case's objects are valid`,
        );
        const cluster = buildCluster(store.objects);
        for (const probe of step.probes) {
          const expected = parseTruthTable(probe.expect);
          const actual = connectivityMatrix(cluster, probe.protocol, probe.port);
          assert.deepEqual(actual.sources, expected.sources, 'the matrix covers the model pods in order');
          const differences = compareTruthTables(expected, actual);
          assert.deepEqual(
            differences,
            [],
            `step ${s + 1} (${step.note ?? ''}) ${probe.protocol} ${probe.port}:\n${formatTruthTable(actual)}`,
          );
        }
      });
    });
  }
});

/** The truth table that `list` implies: a pair is allowed when its line covers the probe's protocol and port. */
function matrixFromList(
  cluster: ReturnType<typeof buildCluster>,
  expected: TruthTable,
  protocol: Protocol,
  port: number,
): TruthTable {
  const lines = workloadConnections(computeConnectivity(cluster));
  const allowedPairs = new Set(lines.filter((l) => l.conns.has(protocol, port)).map((l) => `${l.src} ${l.dst}`));
  const cells = expected.sources.map((src) =>
    expected.destinations.map((dst) => (src === dst ? undefined : allowedPairs.has(`${src}[Pod] ${dst}[Pod]`))),
  );
  return { sources: expected.sources, destinations: expected.destinations, cells };
}

describe('upstream Kubernetes e2e NetworkPolicy conformance, through list', () => {
  for (const testCase of cases) {
    it(`${testCase.file}: ${testCase.name}`, () => {
      let store = loadModel('k8s-e2e');
      testCase.steps.forEach((step, s) => {
        store = applyStep(store, step, testCase.file);
        const cluster = buildCluster(store.objects);
        for (const probe of step.probes) {
          const expected = parseTruthTable(probe.expect);
          const actual = matrixFromList(cluster, expected, probe.protocol, probe.port);
          assert.deepEqual(
            compareTruthTables(expected, actual),
            [],
            `step ${s + 1} ${probe.protocol} ${probe.port}:\n${formatTruthTable(actual)}`,
          );
        }
      });
    });
  }
});
