import { readFileSync, mkdtempSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { KubeSource } from './src/controller/kube-source.js';
import { NftReconciler } from './src/dataplane/reconcile.js';
import { writeKubeconfig } from './src/testing/apiserver/kubeconfig.js';
import { generateCluster } from './bench/generate.js';
const child = spawn(process.execPath, ['--import', 'tsx', 'src/testing/apiserver/serve.ts', '--ready-file', '/tmp/prof-ready.json'], { stdio: 'inherit' });
await new Promise((r) => setTimeout(r, 3000));
const { url } = JSON.parse(readFileSync('/tmp/prof-ready.json', 'utf8'));
const raw = generateCluster({ pods: 10000, policies: 2000 }).filter((o) => ['Namespace', 'Pod', 'NetworkPolicy'].includes(String(o.kind)) && !(o.kind === 'Namespace' && (o.metadata as any).name === 'kube-system'));
const path = (o: any, named: boolean) => {
  const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : '';
  const base = o.kind === 'NetworkPolicy' ? '/apis/networking.k8s.io/v1' : '/api/v1';
  const plural = { Namespace: 'namespaces', Pod: 'pods', NetworkPolicy: 'networkpolicies' }[o.kind as string];
  return `${url}${base}${o.kind === 'Namespace' ? '' : ns}/${plural}${named ? '/' + o.metadata.name : ''}`;
};
let next = 0;
const objs = [...raw.filter((o) => o.kind === 'Namespace'), ...raw.filter((o) => o.kind !== 'Namespace')];
await Promise.all(raw.filter((o) => o.kind === 'Namespace').map((o) => fetch(path(o, false), { method: 'POST', body: JSON.stringify(o), headers: { 'Content-Type': 'application/json' } })));
const rest = raw.filter((o) => o.kind !== 'Namespace');
await Promise.all(Array.from({ length: 16 }, async () => { while (next < rest.length) { const o = rest[next++]!; const r = await fetch(path(o, false), { method: 'POST', body: JSON.stringify(o), headers: { 'Content-Type': 'application/json' } }); const s = await r.json() as any; if (o.kind === 'Pod') await fetch(path(o, true) + '/status', { method: 'PUT', body: JSON.stringify({ ...s, status: o.status }), headers: { 'Content-Type': 'application/json' } }); } }));
const source = new KubeSource({ kubeconfig: writeKubeconfig(mkdtempSync('/tmp/k-'), url) });
await source.start();
const rec = new NftReconciler({ node: 'node-0' });
let t = performance.now(); let snap = source.read(); console.log('first read', performance.now() - t);
t = performance.now(); let d = rec.desired(snap); console.log('first desired', performance.now() - t);
const local = raw.filter((o: any) => o.kind === 'Pod' && o.spec.nodeName === 'node-0');
for (let i = 0; i < 5; i++) {
  const pod = structuredClone(local[i]) as any; delete pod.status; pod.metadata.labels = { ...pod.metadata.labels, app: pod.metadata.labels.app === 'db' ? 'cache' : 'db', tier: 'data' };
  await fetch(path(pod, true), { method: 'PUT', body: JSON.stringify(pod), headers: { 'Content-Type': 'application/json' } });
  await new Promise((r) => setTimeout(r, 100));
  t = performance.now(); snap = source.read(); const tr = performance.now() - t;
  t = performance.now(); const d2 = rec.desired(snap); const td = performance.now() - t;
  t = performance.now(); const cmds = rec.delta(d.ruleset, d2.ruleset); const tdl = performance.now() - t; d = d2;
  console.log('label read', tr.toFixed(1), 'desired', td.toFixed(1), rec.lastBuild, 'delta', tdl.toFixed(1), cmds.length);
}
for (let i = 0; i < 3; i++) {
  const pol = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bench-x', namespace: (local[0] as any).metadata.namespace }, spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 20000 + i }] }] } };
  await fetch(i === 0 ? path(pol, false) : path(pol, true), { method: i === 0 ? 'POST' : 'PUT', body: JSON.stringify(pol), headers: { 'Content-Type': 'application/json' } });
  await new Promise((r) => setTimeout(r, 100));
  t = performance.now(); snap = source.read(); const tr = performance.now() - t;
  t = performance.now(); const d2 = rec.desired(snap); const td = performance.now() - t;
  t = performance.now(); const cmds = rec.delta(d.ruleset, d2.ruleset); const tdl = performance.now() - t; d = d2;
  console.log('policy read', tr.toFixed(1), 'desired', td.toFixed(1), rec.lastBuild, 'delta', tdl.toFixed(1), cmds.length);
}
await source.stop(); child.kill();
