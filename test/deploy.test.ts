import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { IRONCORE_KINDS, apinetKinds } from '../src/controller/ironcore-controller.js';
import { FOLLOWED_KINDS, type FollowedKind } from '../src/controller/kube-resources.js';
import { loadCluster } from '../src/pipeline/inputs.js';
import { RESOURCES } from '../src/testing/apiserver/index.js';
import { runCli } from './support/cli.js';

const DEPLOY = 'deploy';

/** A manifest as YAML gives it: the tests walk it by hand. */
type Manifest = Record<string, any>;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : /\.ya?ml$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

const manifests: Manifest[] = yamlFiles(DEPLOY).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Manifest),
);
const find = (kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m['kind'] === kind && m['metadata']?.['name'] === name);
  assert.ok(found, `${kind} ${name} is in deploy/`);
  return found;
};

/** The verbs a role's rules grant on one resource of one group. */
function verbsOn(role: Manifest, group: string, resource: string): string[] {
  return (role['rules'] as Manifest[])
    .filter((r) => (r['apiGroups'] as string[]).includes(group) && (r['resources'] as string[]).includes(resource))
    .flatMap((r) => r['verbs'] as string[])
    .sort();
}

/** The resource a followed kind is served as (the test API server's table holds the plurals). */
const pluralOf = (k: FollowedKind): string =>
  RESOURCES.find((r) => r.group === k.group && r.version === k.version && r.kind === k.kind)!.plural;

describe('deploy/', () => {
  it('passes netpol validate: the DaemonSet and Deployment read as workloads, the rest skipped by kind', async () => {
    const run = await runCli(['validate', DEPLOY, '-o', 'json']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.valid, true);
    assert.equal(report.objects, 3, 'the Namespace, the DaemonSet and the Deployment');
    assert.deepEqual(report.problems, []);
    const skippedKinds = (report.skipped as { message: string }[]).map((s) => s.message.split(' ')[2]).sort();
    assert.deepEqual(skippedKinds, [
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'Kustomization',
      'Role',
      'RoleBinding',
      'ServiceAccount',
      'ServiceAccount',
    ]);
    const { cluster } = loadCluster([DEPLOY]);
    assert.deepEqual(
      cluster.endpoints.map(
        (e) => `${e.namespace}/${e.owner.name}[${e.owner.kind}] ${e.ports.map((p) => `${p.name}/${p.port}`).join(',')}`,
      ),
      [
        'netpol-system/netpol-agent[DaemonSet] metrics/9710',
        'netpol-system/netpol-ironcore-controller[Deployment] metrics/9711',
      ],
    );
  });

  it('runs the agent on the host network with NET_ADMIN only, on its node, with probes and a metrics port', () => {
    const daemonSet = find('DaemonSet', 'netpol-agent');
    const pod = daemonSet['spec']['template']['spec'];
    assert.equal(pod['hostNetwork'], true);
    assert.equal(pod['serviceAccountName'], 'netpol-agent');
    const [container, ...others] = pod['containers'] as Manifest[];
    assert.equal(others.length, 0);
    assert.deepEqual(container!['args'].slice(0, 3), ['agent', '--node', '$(NODE_NAME)']);
    assert.ok(!container!['args'].includes('--kubeconfig'), 'in-cluster configuration');
    assert.deepEqual(
      container!['env'].find((e: Manifest) => e['name'] === 'NODE_NAME')['valueFrom'],
      { fieldRef: { fieldPath: 'spec.nodeName' } },
      'the node name from the downward API',
    );
    const security = container!['securityContext'];
    assert.deepEqual(security['capabilities'], { drop: ['ALL'], add: ['NET_ADMIN'] });
    assert.equal(security['allowPrivilegeEscalation'], false);
    assert.notEqual(security['privileged'], true);
    assert.deepEqual(container!['ports'], [{ name: 'metrics', containerPort: 9710, protocol: 'TCP' }]);
    assert.deepEqual(container!['livenessProbe']['httpGet'], { path: '/healthz', port: 'metrics' });
    assert.deepEqual(container!['readinessProbe']['httpGet'], { path: '/readyz', port: 'metrics' });
  });

  it("runs the agent with arguments it takes: the API as its source, probes on the node's address", async () => {
    const container = find('DaemonSet', 'netpol-agent')['spec']['template']['spec']['containers'][0];
    // The downward API's values, as the kubelet puts them in; only the missing cluster stops it.
    const args = (container['args'] as string[]).map((a) =>
      a.replace('$(NODE_NAME)', 'node-1').replace('$(HOST_IP)', '127.0.0.1'),
    );
    assert.ok(args.includes('--metrics-address'));
    const run = await runCli([...args, '--kubeconfig', '/nonexistent/kubeconfig']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^netpol: .*\/nonexistent\/kubeconfig/);
  });

  it('grants the agent get, list and watch on what it follows, and nothing else', () => {
    const role = find('ClusterRole', 'netpol-agent');
    const granted = (role['rules'] as Manifest[]).flatMap((r) => r['verbs'] as string[]);
    assert.deepEqual([...new Set(granted)].sort(), ['get', 'list', 'watch']);
    for (const kind of FOLLOWED_KINDS) {
      assert.deepEqual(verbsOn(role, kind.group, pluralOf(kind)), ['get', 'list', 'watch'], kind.kind);
    }
    const resources = (role['rules'] as Manifest[]).flatMap((r) => r['resources'] as string[]).sort();
    assert.deepEqual(resources, FOLLOWED_KINDS.map(pluralOf).sort(), 'no resource beyond those');
    const binding = find('ClusterRoleBinding', 'netpol-agent');
    assert.deepEqual(binding['subjects'], [
      { kind: 'ServiceAccount', name: 'netpol-agent', namespace: 'netpol-system' },
    ]);
  });

  it('grants the Ironcore controller what it reads and writes, and nothing else', () => {
    const role = find('ClusterRole', 'netpol-ironcore-controller');
    // Its informers list and watch; it reads nothing else.
    for (const kind of IRONCORE_KINDS.filter((k) => k.kind !== 'NetworkPolicy')) {
      assert.deepEqual(verbsOn(role, kind.group, pluralOf(kind)), ['list', 'watch'], kind.kind);
    }
    // The finalizer by merge patch, the conditions by server-side apply of the status.
    assert.deepEqual(verbsOn(role, 'networking.ironcore.dev', 'networkpolicies'), ['list', 'patch', 'watch']);
    assert.deepEqual(verbsOn(role, 'networking.ironcore.dev', 'networkpolicies/status'), ['patch']);
    assert.equal((role['rules'] as Manifest[]).length, 4);

    const apinet = find('Role', 'netpol-ironcore-controller');
    assert.equal(apinet['metadata']['namespace'], 'apinet', 'only the namespace it writes apinet objects to');
    const [policies, rules] = apinetKinds('apinet');
    // Server-side apply that creates needs create besides patch; the rule goes by garbage collection, not by us.
    assert.deepEqual(verbsOn(apinet, policies!.group, 'networkpolicies'), [
      'create',
      'delete',
      'list',
      'patch',
      'watch',
    ]);
    assert.deepEqual(verbsOn(apinet, rules!.group, 'networkpolicyrules'), ['create', 'list', 'patch', 'watch']);
    // blockOwnerDeletion on the rule's owner reference.
    assert.deepEqual(verbsOn(apinet, policies!.group, 'networkpolicies/finalizers'), ['update']);
    assert.equal((apinet['rules'] as Manifest[]).length, 3);
    assert.deepEqual(find('RoleBinding', 'netpol-ironcore-controller')['subjects'], [
      { kind: 'ServiceAccount', name: 'netpol-ironcore-controller', namespace: 'netpol-system' },
    ]);
  });

  it('runs the Ironcore controller as one unprivileged replica, with arguments the command takes', async () => {
    const deployment = find('Deployment', 'netpol-ironcore-controller');
    assert.equal(deployment['spec']['replicas'], 1);
    assert.equal(deployment['spec']['strategy']['type'], 'Recreate');
    const pod = deployment['spec']['template']['spec'];
    assert.equal(pod['securityContext']['runAsNonRoot'], true);
    const container = pod['containers'][0];
    assert.deepEqual(container['securityContext']['capabilities'], { drop: ['ALL'] });
    assert.equal(container['securityContext']['readOnlyRootFilesystem'], true);
    // The command line parses: only the missing cluster stops it (outside a pod, with no kubeconfig).
    const run = await runCli([...container['args'], '--kubeconfig', '/nonexistent/kubeconfig']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^netpol: .*\/nonexistent\/kubeconfig/);
  });

  it('is one kustomization that names every manifest and builds', () => {
    const kustomization = manifests.find((m) => m['kind'] === 'Kustomization')!;
    const listed = (kustomization['resources'] as string[]).sort();
    const files = yamlFiles(DEPLOY)
      .map((f) => relative(DEPLOY, f))
      .filter((f) => f !== 'kustomization.yaml')
      .sort();
    assert.deepEqual(listed, files);
    const built = spawnSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8' });
    if (built.error) throw new Error('kubectl is not installed: apt-get install kubernetes-client');
    assert.equal(built.status, 0, built.stderr);
    const objects = parseAllDocuments(built.stdout).map((d) => d.toJS() as Manifest);
    assert.equal(objects.length, manifests.length - 1);
    const images = objects
      .flatMap((o) => o['spec']?.['template']?.['spec']?.['containers'] ?? [])
      .map((c: Manifest) => c['image']);
    assert.deepEqual(images, ['netpol:0.1.0', 'netpol:0.1.0']);
  });
});
