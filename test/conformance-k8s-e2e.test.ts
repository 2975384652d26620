import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectivityMatrix } from '../src/engine/matrix.js';
import { compareTruthTables, formatTruthTable, parseTruthTable } from '../src/engine/truthtable.js';
import { buildCluster } from '../src/model/cluster.js';
import { validateObjects } from '../src/validate/validate.js';
import { applyStep, loadModel, readCases } from './support/conformance.js';

const cases = readCases('k8s-e2e');

describe('upstream Kubernetes e2e NetworkPolicy conformance', () => {
  it('has all 48 cases', () => assert.equal(cases.length, 48));

  for (const testCase of cases) {
    it(`${testCase.file}: ${testCase.name}`, () => {
      let store = loadModel('k8s-e2e');
      testCase.steps.forEach((step, s) => {
        store = applyStep(store, step, testCase.file);
        const invalid = validateObjects(store.objects);
        assert.deepEqual(invalid.map((d) => d.message), [], `step ${s + 1}: the case's objects are valid`);
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
