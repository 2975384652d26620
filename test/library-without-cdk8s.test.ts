// The library and the CLI must load, and run, without cdk8s: users who do not author policies in TypeScript do not
// install it (it is an optional peer dependency of netpol/cdk8s alone). A module-resolution hook refuses cdk8s,
// constructs, cdk8s-plus and src/authoring in a child process that loads the main entry and runs CLI commands;
// the same hook refuses netpol/cdk8s itself, which shows that it works.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const hook = (refuseAuthoring: boolean) => `
export async function resolve(specifier, context, next) {
  if (
    /^(cdk8s|constructs|cdk8s-plus-33)(\\/|$)/.test(specifier) ||
    (${refuseAuthoring} && /(^|\\/)authoring\\//.test(specifier))
  )
    throw new Error('refused import of ' + specifier + ' from ' + context.parentURL);
  return next(specifier, context);
}`;

function runWithoutCdk8s(script: string, refuseAuthoring = true) {
  const hookURL = `data:text/javascript,${encodeURIComponent(hook(refuseAuthoring))}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(hookURL)});`;
  return spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      `data:text/javascript,${encodeURIComponent(register)}`,
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
}

/** The relative imports of a TypeScript module, static and dynamic, resolved to files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
  return specifiers;
}

describe('the library and the CLI without cdk8s', () => {
  it('load the main entry and run CLI commands while cdk8s and src/authoring cannot be resolved', () => {
    const run = runWithoutCdk8s(`
      const library = await import('./src/index.ts');
      if (typeof library.decide !== 'function') throw new Error('the library did not load');
      const { main } = await import('./src/cli/main.ts');
      const quiet = { out: () => {}, err: () => {}, readStdin: async () => '' };
      const codes = [];
      for (const args of [['validate', 'examples/shop'], ['list', 'examples/shop'], ['lint', 'examples/shop'],
        ['check', 'examples/shop', '--from', 'shop/checkout', '--to', 'shop/payments', '--port', '9090']])
        codes.push(await main(args, quiet));
      console.log(JSON.stringify(codes));
    `);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, '[0,0,0,0]\n');
    assert.equal(run.status, 0);
  });

  it('the hook does refuse netpol/cdk8s (the check above can fail)', () => {
    const run = runWithoutCdk8s(`await import('./src/authoring/index.ts');`, false);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /refused import of (cdk8s|constructs) from file:.*\/src\/authoring\//);
  });

  it('no module reachable from src/index.ts or the CLI imports cdk8s, constructs or src/authoring', () => {
    const seen = new Set<string>();
    const pending = [join(ROOT, 'src/index.ts'), join(ROOT, 'src/cli/bin.ts')];
    const offending: string[] = [];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        if (/^(cdk8s|constructs|cdk8s-plus-33)(\/|$)/.test(specifier))
          offending.push(`${relative(ROOT, file)}: ${specifier}`);
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (target.includes(`${join('src', 'authoring')}`)) offending.push(`${relative(ROOT, file)}: ${specifier}`);
        pending.push(target);
      }
    }
    assert.ok(seen.size > 50, `walked only ${seen.size} modules`);
    assert.deepEqual(offending, []);
  });
});
