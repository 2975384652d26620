import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { JSONObject } from '../src/util/json.js';
import { ApiServer } from '../src/testing/apiserver/index.js';
import { writeKubeconfig } from '../src/testing/apiserver/kubeconfig.js';
import { runCli } from './support/cli.js';

const IRONCORE = 'networking.ironcore.dev/v1alpha1';
const BIN = new URL('../src/cli/bin.ts', import.meta.url).pathname;

/** kubectl must be there: CI installs Debian's kubernetes-client; a missing one fails, never skips. */
function requireKubectl(): void {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (probe.error) throw new Error('kubectl is not installed: apt-get install kubernetes-client');
}

let dir: string;
const children = new Set<ChildProcess>();
before(() => (dir = mkdtempSync(join(tmpdir(), 'netpol-controller-cli-'))));
after(() => {
  // A test that failed half-way must not leave a controller behind to hold the test run open.
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The netpol CLI as a process, its stderr collected line by line. */
function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines: string[] = [];
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  return { child, lines };
}

async function eventually(check: () => void, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The exit code, or null (the process killed) when it has not exited within 20 s. */
const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

function seed(server: ApiServer): void {
  for (const name of ['shop', 'apinet']) server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  server.create({ apiVersion: IRONCORE, kind: 'Network', metadata: { name: 'net', namespace: 'shop' } });
  const nic = (name: string, app: string, ip: string) => ({
    apiVersion: IRONCORE,
    kind: 'NetworkInterface',
    metadata: { name, namespace: 'shop', labels: { app } },
    spec: { networkRef: { name: 'net' }, ips: [{ value: ip }] },
    status: { state: 'Available' },
  });
  server.create(nic('db-0', 'db', '10.1.0.10'));
  server.create(nic('web-0', 'web', '10.1.0.20'));
  server.create({
    apiVersion: IRONCORE,
    kind: 'NetworkPolicy',
    metadata: { name: 'db', namespace: 'shop' },
    spec: {
      networkRef: { name: 'net' },
      networkInterfaceSelector: { matchLabels: { app: 'db' } },
      ingress: [
        {
          from: [{ objectSelector: { kind: 'NetworkInterface', matchLabels: { app: 'web' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ],
    },
  });
}

describe('netpol controller ironcore, the command', () => {
  it('reconciles against the API server, logs JSON lines with times, serves probes, and stops on SIGTERM', async () => {
    requireKubectl();
    const server = await ApiServer.start({ bookmarkIntervalMs: 500 });
    try {
      seed(server);
      const kubeconfig = writeKubeconfig(mkdtempSync(join(dir, 'k-')), server.url);
      const { child, lines } = startCli([
        'controller',
        'ironcore',
        '--kubeconfig',
        kubeconfig,
        '--metrics-address',
        '127.0.0.1:0',
      ]);
      const uid = (
        server.get({ apiVersion: IRONCORE, kind: 'NetworkPolicy', namespace: 'shop', name: 'db' })![
          'metadata'
        ] as JSONObject
      )['uid'] as string;
      await eventually(() =>
        assert.ok(
          server.get({
            apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
            kind: 'NetworkPolicyRule',
            namespace: 'apinet',
            name: uid,
          }),
          'the rule is applied',
        ),
      );
      await eventually(() =>
        assert.ok(
          lines.some((l) => l.includes('NetworkPolicy shop/db: ')),
          'the outcome is logged',
        ),
      );

      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const entry of entries) {
        assert.match(entry['time'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(['debug', 'info', 'warn', 'error'].includes(entry['level'] as string), JSON.stringify(entry));
        assert.equal(entry['controller'], 'ironcore');
        assert.equal(typeof entry['msg'], 'string');
      }
      const address = entries.find((e) => e['metricsAddress'] !== undefined)!['metricsAddress'] as string;
      assert.match(address, /^127\.0\.0\.1:\d+$/, 'bound to the loopback address');
      await eventually(() =>
        assert.ok(
          lines.some((l) => l.includes('caches synced')),
          'synced',
        ),
      );
      assert.equal((await fetch(`http://${address}/readyz`)).status, 200);
      assert.match(await (await fetch(`http://${address}/metrics`)).text(), /netpol_controller_reconcile_total/);

      // kubectl sees the objects as the controller left them.
      const kubectl = (...args: string[]) =>
        new Promise<string>((resolve, reject) =>
          execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}: ${stderr}`)) : resolve(stdout),
          ),
        );
      const rules = parse(
        await kubectl('get', 'networkpolicyrules.core.apinet.ironcore.dev', '-n', 'apinet', '-o', 'yaml'),
      );
      assert.equal(rules.kind, 'List');
      assert.equal(rules.items.length, 1);
      const rule = rules.items[0];
      assert.equal(rule.metadata.name, uid);
      assert.deepEqual(rule.targets, [{ ip: '10.1.0.10', targetRef: { name: 'db-0' } }]);
      assert.deepEqual(rule.ingressRule, [
        {
          ipBlock: [],
          ips: [{ ipFamily: 'IPv4', prefix: '10.1.0.20/32' }],
          networkPolicyPorts: [{ protocol: 'TCP', port: 5432 }],
        },
      ]);
      assert.equal(rule.metadata.ownerReferences[0].kind, 'NetworkPolicy');
      assert.equal(rule.metadata.ownerReferences[0].controller, true);
      const policy = parse(
        await kubectl('get', 'networkpolicies.networking.ironcore.dev', 'db', '-n', 'shop', '-o', 'yaml'),
      );
      assert.deepEqual(policy.metadata.finalizers, ['apinet.ironcore.dev/networkpolicy']);
      assert.deepEqual(
        policy.status.conditions.map((c: Record<string, string>) => `${c['type']}=${c['status']}`),
        ['NetworkFound=True', 'TargetsFound=True', 'Applied=True'],
      );
      const apinetNames = await kubectl(
        'get',
        'networkpolicies.core.apinet.ironcore.dev',
        '-n',
        'apinet',
        '-o',
        'jsonpath={.items[*].metadata.name}',
      );
      assert.equal(apinetNames, uid);

      // kubectl delete: the finalizer holds the policy until the controller has cleaned up.
      await kubectl('delete', 'networkpolicies.networking.ironcore.dev', 'db', '-n', 'shop', '--timeout=20s');
      assert.equal(
        await kubectl('get', 'networkpolicyrules.core.apinet.ironcore.dev', '-n', 'apinet', '-o', 'name'),
        '',
      );

      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
      assert.match(lines.at(-1)!, /"msg":"stopped"/);
      assert.ok(
        lines.some((l) => l.includes('"msg":"SIGTERM: stopping"')),
        'the signal is logged',
      );
    } finally {
      await server.stop();
    }
  });

  it('refuses bad options with one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--metrics-address', '9711'],
        /option '--metrics-address <host:port>' argument '9711' is invalid\. 9711: not HOST:PORT/,
      ],
      [['--apinet-namespace', 'Bad_NS'], /argument 'Bad_NS' is invalid\. a namespace name is a DNS label/],
      [['--resync', 'soon'], /argument 'soon' is invalid\. a number of seconds/],
      [['--log-format', 'xml'], /argument 'xml' is invalid\. Allowed choices are text, json/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['controller', 'ironcore', ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, message);
    }
    const missing = await runCli(['controller', 'ironcore', '--kubeconfig', join(dir, 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^netpol: .*nope/);
  });

  it('finds no cluster without a kubeconfig outside a pod, and says what to do', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: mkdtempSync(join(dir, 'home-')) };
    delete env['KUBECONFIG'];
    delete env['KUBERNETES_SERVICE_HOST'];
    const run = spawnSync(process.execPath, ['--import', 'tsx', BIN, 'controller', 'ironcore'], {
      encoding: 'utf8',
      env,
    });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^netpol: no cluster to talk to: pass --kubeconfig, set KUBECONFIG, or run in a pod/);
  });

  it('takes $KUBECONFIG and --context as kubectl does', async () => {
    const server = await ApiServer.start();
    try {
      const kubeconfig = writeKubeconfig(mkdtempSync(join(dir, 'k-')), server.url, { context: 'lab' });
      const env = { ...process.env, KUBECONFIG: kubeconfig };
      const wrong = spawnSync(
        process.execPath,
        ['--import', 'tsx', BIN, 'controller', 'ironcore', '--context', 'prod', '--metrics-address', '127.0.0.1:0'],
        { encoding: 'utf8', env },
      );
      assert.equal(wrong.status, 2);
      assert.match(wrong.stderr, /context "prod" not found/);
      const { child, lines } = startCli(
        ['controller', 'ironcore', '--context', 'lab', '--metrics-address', '127.0.0.1:0'],
        env,
      );
      await eventually(() =>
        assert.ok(
          lines.some((l) => l.includes('caches synced')),
          'synced',
        ),
      );
      assert.match(lines[0]!, new RegExp(`Ironcore from ${kubeconfig.replaceAll('/', '\\/')}`));
      child.kill('SIGINT');
      assert.equal(await exited(child), 0);
    } finally {
      await server.stop();
    }
  });

  it('fails with the reason when the API server does not serve Ironcore', async () => {
    const server = await ApiServer.start({ installed: [] });
    try {
      const kubeconfig = writeKubeconfig(mkdtempSync(join(dir, 'k-')), server.url);
      const { child, lines } = startCli([
        'controller',
        'ironcore',
        '--kubeconfig',
        kubeconfig,
        '--metrics-address',
        '127.0.0.1:0',
      ]);
      assert.equal(await exited(child), 2);
      assert.ok(
        lines.some((l) =>
          new RegExp(
            String.raw`"level":"error","msg":".*does not serve NetworkPolicy ` +
              String.raw`\(networking\.ironcore\.dev\/v1alpha1\), .*; .*does not serve NetworkPolicy ` +
              String.raw`\(core\.apinet\.ironcore\.dev\/v1alpha1\), NetworkPolicyRule`,
          ).test(l),
        ),
        lines.join('\n'),
      );
    } finally {
      await server.stop();
    }
  });
});
