import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'scripts', 'check-layers.mjs');
const trees = mkdtempSync(join(tmpdir(), 'netpol-layers-'));
after(() => rmSync(trees, { recursive: true, force: true }));

/** A made-up checkout with these files under src/. */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(trees, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'src', path)), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  }
  return dir;
}

const check = (dir?: string) => {
  const run = spawnSync(process.execPath, [script, ...(dir === undefined ? [] : [dir])], { encoding: 'utf8' });
  return { status: run.status, lines: run.stderr.split('\n').filter(Boolean) };
};

describe('scripts/check-layers.mjs', () => {
  it('passes on this checkout', () => {
    assert.deepEqual(check(), { status: 0, lines: [] });
  });

  it('names an import of a folder above, with file and line, and the cycle it closes', () => {
    const dir = tree('upward', {
      'model/endpoint.ts':
        "// the kind lives in the IR\nimport type { Kind } from '../policy/ir.js';\nexport type E = Kind;\n",
      'policy/ir.ts': "import type { E } from '../model/endpoint.js';\nexport type Kind = 'Pod';\nexport type X = E;\n",
    });
    const { status, lines } = check(dir);
    assert.equal(status, 1);
    assert.deepEqual(lines.slice(0, 2), [
      "src/model/endpoint.ts:2: model/ imports policy/ ('../policy/ir.js'), a folder above it",
      'cycle among folders: model, policy',
    ]);
    assert.match(lines[2] ?? '', /^layers of src\/, lowest first: util \| algebra, yaml \| resources \|/);
  });

  it('refuses a folder importing one beside it in its layer, and a folder in no layer', () => {
    const dir = tree('sideways', {
      'load/read.ts': "export { validate } from '../validate/validate.js';\n",
      'validate/validate.ts': 'export const validate = 1;\n',
      'extras/more.ts': "import { validate } from '../validate/validate.js';\nexport const more = validate;\n",
    });
    assert.deepEqual(check(dir), {
      status: 1,
      lines: [
        'src/extras/ is in no layer: add it to LAYERS in scripts/check-layers.mjs where it belongs',
        "src/load/read.ts:1: load/ imports validate/ ('../validate/validate.js'), a folder beside it in its layer",
        'layers of src/, lowest first: util | algebra, yaml | resources | load, validate | model | policy | ' +
          'pipeline, engine | render | report, controller | dataplane, authoring, testing | cli',
      ],
    });
  });

  it('counts dynamic imports, and leaves out tests, comments and imports within a folder', () => {
    const dir = tree('others', {
      'util/order.ts': "// import '../cli/main.js' was here\nexport const load = () => import('./log.js');\n",
      'util/log.ts': 'export const log = 1;\n',
      'util/order.test.ts': "import '../cli/main.js';\n",
      'cli/main.ts': "import '../util/order.js';\n",
      'index.ts': "export * from './cli/main.js';\n",
    });
    assert.deepEqual(check(dir), { status: 0, lines: [] });
    const dynamic = tree('dynamic', {
      'util/order.ts': "export const load = () =>\n  import('../cli/main.js');\n",
      'cli/main.ts': 'export {};\n',
    });
    assert.deepEqual(
      check(dynamic).lines[0],
      "src/util/order.ts:2: util/ imports cli/ ('../cli/main.js'), a folder above it",
    );
  });
});
