// Keeps the folders of src/ in layers: a folder imports only folders of the layers below its own, never one beside
// it or above it, so the folder graph has no cycle and each layer can be read (and tested) knowing only those below.
// Counts value and type imports (`import type` too) and re-exports of every non-test file; tests may use support
// from anywhere. Exits 1 with each offending import as file:line, and any cycle among the folders.
// `--graph` prints the folder graph instead (importer -> imported: number of imports). An argument other than
// `--graph` names the checkout to check (the tests check made-up trees); by default, this one.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Lowest first; the README's layout section says what each layer is. */
const LAYERS = [
  ['util'],
  ['algebra', 'yaml'],
  ['resources'],
  ['load', 'validate'],
  ['model'],
  ['policy'],
  ['pipeline', 'engine'],
  ['render'],
  ['report', 'controller'],
  ['dataplane', 'authoring', 'testing'],
  ['cli'],
];

const root = resolve(
  process.argv.slice(2).find((arg) => arg !== '--graph') ?? fileURLToPath(new URL('..', import.meta.url)),
);
const src = join(root, 'src');
const layerOf = new Map(LAYERS.flatMap((folders, layer) => folders.map((folder) => [folder, layer])));

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The top folder under src/ of a path, or undefined for a file directly in src/ (index.ts, which may use all). */
function folderOf(path) {
  const parts = relative(src, path).split(sep);
  return parts.length > 1 && parts[0] !== '..' ? parts[0] : undefined;
}

function lineAt(text, position) {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Every import of one folder by another: { file, line, specifier, from, to }. */
function folderImports() {
  const imports = [];
  for (const file of sourceFiles(src)) {
    const from = folderOf(file);
    if (from === undefined) continue;
    const text = readFileSync(file, 'utf8');
    // preProcessFile finds import, import type, export ... from and import() without being fooled by comments.
    for (const { fileName, pos } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const to = folderOf(resolve(dirname(file), fileName));
      if (to === undefined || to === from) continue;
      imports.push({ file: relative(root, file), line: lineAt(text, pos), specifier: fileName, from, to });
    }
  }
  return imports;
}

/** The folders' strongly connected components with more than one folder: each is a cycle. */
function cycles(edges) {
  const graph = new Map();
  for (const { from, to } of edges) graph.set(from, new Set([...(graph.get(from) ?? []), to]));
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  const visit = (node) => {
    index.set(node, index.size);
    low.set(node, index.get(node));
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do component.push((member = stack.pop()));
    while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

const imports = folderImports();

if (process.argv.includes('--graph')) {
  const counts = new Map();
  for (const { from, to } of imports) counts.set(`${from} -> ${to}`, (counts.get(`${from} -> ${to}`) ?? 0) + 1);
  for (const [edge, count] of [...counts].sort()) console.log(`${edge}: ${count}`);
  process.exit(0);
}

const problems = [];
const unplaced = new Set([...imports.flatMap(({ from, to }) => [from, to])].filter((f) => !layerOf.has(f)));
for (const folder of [...unplaced].sort()) {
  problems.push(`src/${folder}/ is in no layer: add it to LAYERS in scripts/check-layers.mjs where it belongs`);
}
for (const { file, line, specifier, from, to } of imports) {
  if (unplaced.has(from) || unplaced.has(to) || layerOf.get(to) < layerOf.get(from)) continue;
  const where = layerOf.get(to) === layerOf.get(from) ? 'beside it in its layer' : 'above it';
  problems.push(`${file}:${line}: ${from}/ imports ${to}/ ('${specifier}'), a folder ${where}`);
}
for (const cycle of cycles(imports)) problems.push(`cycle among folders: ${cycle.join(', ')}`);

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`layers of src/, lowest first: ${LAYERS.map((folders) => folders.join(', ')).join(' | ')}`);
  process.exit(1);
}
