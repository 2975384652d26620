// Runs netpol's main job on the bundled shop example, printing each command before its output; then the same
// shop written in TypeScript with netpol/cdk8s (examples/cdk8s), analysed as it is synthesised.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
const steps = [
  ['validate', 'examples/shop'],
  ['list', 'examples/shop'],
  ['lint', 'examples/shop'],
  ['matrix', 'examples/shop', '--port', '8080'],
  ['check', 'examples/shop', '--from', 'shop/checkout', '--to', 'shop/payments', '--port', '9090'],
  ['check', 'examples/shop', '--from', 'shop/frontend', '--to', 'shop/payments', '--port', '9090'],
  ['check', 'examples/shop', '--from', 'shop/payments', '--to', '203.0.113.200', '--port', '443'],
];
let failed = false;
for (const args of steps) {
  process.stdout.write(`\n$ netpol ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  // check exits 1 for "denied": that is an answer, not a failure.
  if (run.status !== 0 && !(args[0] === 'check' && run.status === 1)) failed = true;
}
process.stdout.write('\n$ node --import tsx examples/cdk8s/main.ts\n');
const cdk8s = spawnSync(process.execPath, ['--import', 'tsx', 'examples/cdk8s/main.ts'], {
  cwd: root,
  stdio: 'inherit',
});
if (cdk8s.status !== 0) failed = true;
process.exitCode = failed ? 1 : 0;
