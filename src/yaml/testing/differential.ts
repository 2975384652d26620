/**
 * Differential check of src/yaml against the real go-yaml v2 (scripts/yaml-oracle): re-verifies the
 * recorded corpus, then compares thousands of generated texts.
 *
 *   npm run yaml:differential                      corpus + 4 x 5000 generated texts
 *   npm run yaml:differential -- --runs 20000 --seed 7
 *   npm run yaml:differential -- --corpus-only
 *
 * Needs the oracle binary (Go required), see scripts/yaml-oracle/README.md.
 */

import fc from 'fast-check';
import { discardPaths, parseYaml } from '../index.js';
import { CORPUS } from './corpus.js';
import { splitPath, withoutPaths } from './discarded.js';
import {
  crlfDocument,
  garbage,
  kubernetesDocument,
  longDocumentWithBadCharacter,
  longKeys,
  managedFieldsDocument,
  mutatedDocument,
  mutatedKubernetesDocument,
  printedDocument,
} from './generate.js';
import { type OracleAnswer, answerOf, askOracle, difference, oracleBinary } from './oracle.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const binary = oracleBinary();
if (binary === undefined) {
  console.error(
    'yaml:differential needs the Go oracle, which is not built.\n' +
      'Build it (Go 1.19+, with gopkg.in/yaml.v2 2.4 and sigs.k8s.io/yaml 1.3 on GOPATH or in a module):\n' +
      '  cd scripts/yaml-oracle && GO111MODULE=off GOPATH=/usr/share/gocode go build -o yaml-oracle .\n' +
      'or point YAML_ORACLE at a built binary.',
  );
  process.exit(2);
}

let failed = false;

/**
 * Every text is read a second time with these values discarded: the answer must be the oracle's,
 * those values deleted from it.
 */
const DISCARDED = ['metadata.managedFields', 'items.*.metadata.managedFields', 'a', 'x.*.a', 'spec.containers'];
const discard = discardPaths(...DISCARDED);

function discardDifference(text: string, theirs: OracleAnswer): string | undefined {
  const expected = 'ok' in theirs ? { ok: withoutPaths(theirs.ok, DISCARDED.map(splitPath)) } : theirs;
  const why = difference(answerOf(parseYaml(text, { discard })), expected);
  return why === undefined ? undefined : `discarding ${DISCARDED.join(', ')}: ${why}`;
}

function checkCorpus(): void {
  const answers = askOracle(
    binary!,
    CORPUS.map((c) => c.text),
  );
  let stale = 0;
  let wrong = 0;
  CORPUS.forEach((c, i) => {
    const oracle = answers[i]!;
    const recorded: OracleAnswer = 'error' in c ? { error: c.error } : { ok: c.value };
    const recordDiff = difference(recorded, oracle);
    if (recordDiff !== undefined) {
      stale++;
      console.log(`corpus "${c.name}": the recorded answer is not the oracle's: ${recordDiff}`);
    }
    const ours = difference(answerOf(parseYaml(c.text)), oracle) ?? discardDifference(c.text, oracle);
    if (ours !== undefined) {
      wrong++;
      console.log(`corpus "${c.name}": ${ours}`);
    }
  });
  console.log(
    `corpus: ${CORPUS.length} cases, ${stale} recorded answers differ from the oracle, ${wrong} parser mismatches`,
  );
  if (stale + wrong > 0) failed = true;
}

function fuzz(name: string, arbitrary: fc.Arbitrary<string>, runs: number, seed: number): void {
  const texts = fc.sample(arbitrary, { numRuns: runs, seed });
  let mismatches = 0;
  let refused = 0;
  let random = 0;
  const shown: string[] = [];
  for (let from = 0; from < texts.length; from += 2000) {
    const batch = texts.slice(from, from + 2000);
    const answers = askOracle(binary!, batch);
    batch.forEach((text, i) => {
      const theirs = answers[i]!;
      if ('error' in theirs) refused++;
      const ours = parseYaml(text);
      const why = difference(answerOf(ours), theirs) ?? discardDifference(text, theirs);
      if (why === undefined) return;
      // Keys of different Go types that JSON spells alike: go-yaml keeps one at random.
      if (ours.warnings.some((w) => w.message.includes('at random'))) {
        random++;
        return;
      }
      mismatches++;
      if (shown.length < 8) shown.push(`  ${ascii(text)}\n    ${why}`);
    });
  }
  const note = random > 0 ? `, ${random} differing where go-yaml picks at random` : '';
  console.log(`${name}: ${texts.length} texts (${refused} refused by go-yaml), ${mismatches} mismatches${note}`);
  for (const line of shown) console.log(line);
  if (mismatches > 0) failed = true;
}

/** JSON with every non-ASCII character escaped, so that a reported text can be pasted back exactly. */
function ascii(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

checkCorpus();
if (!process.argv.includes('--corpus-only')) {
  const runs = Number(arg('--runs') ?? 5000);
  const seed = Number(arg('--seed') ?? Date.now() % 100000);
  console.log(`seed ${seed}`);
  fuzz('printed documents', printedDocument, runs, seed);
  fuzz('mutated documents', mutatedDocument, runs, seed + 1);
  fuzz('CRLF documents', crlfDocument, runs, seed + 2);
  fuzz('garbage', garbage, runs, seed + 3);
  fuzz('Kubernetes-shaped documents', kubernetesDocument, runs, seed + 4);
  fuzz('mutated Kubernetes-shaped documents', mutatedKubernetesDocument, runs, seed + 5);
  fuzz('long documents with a bad character', longDocumentWithBadCharacter, Math.ceil(runs / 5), seed + 6);
  fuzz('keys near the 1024-character limit', longKeys, Math.ceil(runs / 10), seed + 7);
  fuzz('kubectl dumps with generated managedFields', managedFieldsDocument, runs, seed + 8);
}
process.exit(failed ? 1 : 0);
