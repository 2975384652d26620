// `npm install /path/to/netpol` links netpol, so netpol/cdk8s loads netpol's own copy of cdk8s (its
// devDependency) beside the app's. Everything netpol hands to cdk8s must then work with another copy's resolver:
// here the app's App and Chart come from a copy of cdk8s and constructs in a directory of its own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('netpol/cdk8s beside another copy of cdk8s (a linked install)', () => {
  it('synthesises its objects in an App of the other copy, tokens and all', () => {
    const app = mkdtempSync(join(tmpdir(), 'netpol-linked-'));
    for (const name of ['cdk8s', 'constructs'])
      cpSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name), { recursive: true });
    mkdirSync(join(app, 'src'));
    const script = join(app, 'src', 'main.mjs');
    writeFileSync(
      script,
      `
      import { App, Chart } from 'cdk8s';
      const netpol = await import(${JSON.stringify(join(ROOT, 'src/authoring/index.ts'))});
      const app = new App();
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      const web = new netpol.Deployment(chart, 'Web', { containers: [{ image: 'web', portNumber: 8080 }] });
      const db = new netpol.StatefulSet(chart, 'Db', { containers: [{ image: 'db', portNumber: 5432 }] });
      web.connections.allowTo(db, { ports: [netpol.NetworkPolicyPort.tcp(5432)] });
      new netpol.Namespace(chart, 'Ns', { metadata: { name: 'shop' } });
      const objects = app.charts[0].toJson();
      const spec = (kind) => objects.filter((o) => o.kind === kind).map((o) => o.spec);
      console.log(JSON.stringify({
        kinds: objects.map((o) => o.kind).sort(),
        egressPorts: spec('NetworkPolicy').flatMap((s) => (s.egress ?? []).flatMap((r) => r.ports ?? [])),
        containers: spec('Deployment').map((s) => s.template.spec.containers.length),
        allowed: netpol.analyse(app).check(web, db, 5432).allowed,
        denied: netpol.analyse(app).check(web, db, 5433).allowed,
      }));
      `,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.stderr, '');
    // By hand: the two workloads, the StatefulSet's headless Service, a policy on each side of allowTo, the
    // Namespace; the egress side of web allows TCP 5432.
    assert.deepEqual(JSON.parse(run.stdout), {
      kinds: ['Deployment', 'Namespace', 'NetworkPolicy', 'NetworkPolicy', 'Service', 'StatefulSet'],
      egressPorts: [{ port: 5432, protocol: 'TCP' }],
      containers: [1],
      allowed: true,
      denied: false,
    });
  });
});

describe('import netpol/cdk8s without its peer dependencies', () => {
  // Refuses cdk8s and constructs as Node does when they are not installed.
  const hook = `
export async function resolve(specifier, context, next) {
  if (/^(cdk8s|constructs)(\\/|$)/.test(specifier)) {
    const error = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(
    `data:text/javascript,${encodeURIComponent(hook)}`,
  )});`;

  it('fails with a message that names the peers to install', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        '--input-type=module',
        '-e',
        "try { await import('./src/authoring/entry.ts'); } catch (error) { console.log(error.message); }",
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(run.stderr, '');
    assert.equal(
      run.stdout,
      'netpol/cdk8s is built on the peer dependencies cdk8s and constructs, and cdk8s and constructs cannot be ' +
        'found: install them beside netpol (npm install cdk8s constructs)\n',
    );
  });

  it('gives, with them, every value of the API that index.ts exports (the entry lists them one by one)', async () => {
    const entry = await import('../src/authoring/entry.js');
    const index = await import('../src/authoring/index.js');
    assert.deepEqual(Object.keys(entry).sort(), Object.keys(index).sort());
    for (const name of Object.keys(index))
      assert.equal((entry as Record<string, unknown>)[name], (index as Record<string, unknown>)[name], name);
  });
});
