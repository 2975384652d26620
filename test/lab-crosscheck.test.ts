import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Protocol } from '../src/algebra/connset.js';
import { Lab } from '../src/dataplane/lab/lab.js';
import { compareTruthTables, formatTruthTable } from '../src/engine/truthtable.js';
import type { JSONObject } from '../src/util/json.js';
import { objectFromData } from '../src/resources/source.js';
import { defaultEngineOptions } from '../src/policy/evaluate.js';
import { validateObjects } from '../src/validate/validate.js';
import { tieredCluster } from './support/random-clusters.js';
import { requireKernelTools } from './support/root.js';

/**
 * The nftables ruleset agrees with `check` on real packets, for random clusters with every tier: admin and baseline
 * policies of both API versions with every action and peer kind (nodes and networks too), NetworkPolicies, pods on
 * node n1, pods in n1's network (whose traffic to and from n1's pods goes through its input hook, or none) and pods
 * the lab places on a node of its own. Each cluster goes to one running lab as an update, through the node agents;
 * then for a few ports the lab connects every pair, and each cell must be what `check` decides for that flow.
 */
const LAB = 'xcheck';
/** The ports the generator's rules and containers tell apart: 53 and 80 by number, 80-90 as a range, 81 by name. */
const PORTS: readonly [Protocol, number][] = [
  ['TCP', 80],
  ['TCP', 81],
  ['TCP', 85],
  ['UDP', 53],
];
const SERVED = PORTS.map(([protocol, port]) => `${port}/${protocol}`);

/** Pods in one node's network share its ports: the scheduler places no two that declare one port together. */
const hostPortsApart = (objects: readonly JSONObject[]): boolean => {
  const ports = objects
    .filter((o) => o['kind'] === 'Pod' && (o['spec'] as { hostNetwork?: boolean }).hostNetwork === true)
    .flatMap((o) =>
      ((o['spec'] as { containers: { ports?: { containerPort: number; protocol: string }[] }[] }).containers ?? [])
        .flatMap((c) => c.ports ?? [])
        .map((p) => `${p.containerPort}/${p.protocol}`),
    );
  return new Set(ports).size === ports.length;
};

async function agreesOnRealPackets(lab: Lab, objects: JSONObject[]): Promise<void> {
  assert.deepEqual(
    validateObjects(objects.map((o) => objectFromData(o))).map((d) => d.message),
    [],
  );
  lab.update(objects);
  for (const [protocol, port] of PORTS) {
    const { observed, predicted } = await lab.probe(protocol, port);
    assert.deepEqual(
      compareTruthTables(predicted, observed!),
      [],
      `${protocol} ${port}, observed:\n${formatTruthTable(observed!)}\n${JSON.stringify(objects)}`,
    );
    tally.tables++;
    tally.pairs += observed!.sources.length * (observed!.sources.length - 1);
  }
}

const tally = { clusters: 0, tables: 0, pairs: 0 };

for (const { name, engine, runs } of [
  { name: LAB, engine: defaultEngineOptions, runs: 6 },
  { name: `${LAB}s`, engine: { ...defaultEngineOptions, allowEgressToLocalNode: false }, runs: 3 },
]) {
  describe(`the nftables ruleset agrees with check on real packets (${
    engine.allowEgressToLocalNode ? 'egress to the own node allowed' : '--no-local-node-egress'
  })`, () => {
    let lab: Lab;
    before(() => {
      requireKernelTools();
      Lab.down(name);
      lab = Lab.up(name, [], { engine, serve: SERVED });
    });
    after(() => {
      console.log(
        `lab crosscheck: ${tally.clusters} random clusters, ${tally.tables} tables, ` +
          `${tally.pairs} pairs on real packets`,
      );
      Lab.down(name);
    });

    it("on random clusters with every tier, pods in and out of their node's network", async () => {
      await fc.assert(
        fc.asyncProperty(tieredCluster.filter(hostPortsApart), async (objects) => {
          tally.clusters++;
          await agreesOnRealPackets(lab, objects);
        }),
        { numRuns: runs, includeErrorInReport: true },
      );
    });
  });
}
