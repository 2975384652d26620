import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { golden, runCli } from './support/cli.js';

/**
 * Every example under examples/ has a golden list (test/golden/list/examples/<path with - for />.txt). Each was
 * checked line by line against the example's policies:
 *
 * - shop: default-deny in shop; every shop pod may reach coredns on UDP and TCP 53; frontend takes http (8080)
 *   from anywhere and sends grpc (catalog's 50051) to catalog and 8080 to cart and checkout, which take anything
 *   from frontend; checkout sends 9090 to payments (which takes grpc 9090 from checkout only; its 8080 to cart
 *   is not taken); cart sends 6379 to redis, which takes it; payments sends 443 to 203.0.113.0/25 (the /24 minus
 *   its upper half, so no cut at 203.0.114.0); prometheus scrapes metrics (9100) everywhere but redis, which
 *   names no metrics port. kube-system and monitoring have no policies: open both ways.
 * - legacy (v1 semantics): db takes TCP 6379 from namespace lab and from frontend; web takes anything from tool
 *   only; everything else is open.
 * - legacy with --semantics legacy: shop isolates by annotation, so frontend takes nothing and db what its
 *   policy opens; lab is not isolated, so web-from-tool has no effect and web is open.
 * - contrail: a policy and no endpoint, so no line.
 * - ironcore/shop: the policy isolates db-0 (my-network, app: db): TCP 5432 from 172.17.0.0/16, from web-0 and
 *   from web-lb (its network's app: web interface and load balancer), not from web-vip (no VirtualIP peer) nor
 *   from other-network's web-other and other-lb; db-0 sends TCP 8080 to 10.0.0.0/24, which holds web-0
 *   (10.0.0.20) and web-lb (10.0.0.30); web-1 is Pending and no endpoint; everything else is open.
 * - ironcore/e2e: the policy selects nic: machine-sample2, which no interface carries: all open.
 */
const GOLDEN = 'list/examples';

/**
 * The shallowest directories under examples/ that hold manifests: each is one example. A TypeScript app
 * (examples/cdk8s) synthesises its manifests, and its own test asserts what list says of them.
 */
function exampleDirectories(dir = 'examples'): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name.endsWith('.ts'))) return [];
  if (entries.some((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))) return [dir];
  return entries.filter((e) => e.isDirectory()).flatMap((e) => exampleDirectories(join(dir, e.name)));
}

const goldenName = (dir: string): string => `${relative('examples', dir).replace(/\//g, '-')}.txt`;

describe('netpol list on every example', () => {
  const examples = exampleDirectories();

  it('finds every example, and a golden for each', () => {
    assert.deepEqual(examples, [
      'examples/contrail',
      'examples/ironcore/e2e',
      'examples/ironcore/shop',
      'examples/legacy',
      'examples/shop',
    ]);
    for (const dir of examples)
      assert.ok(existsSync(`test/golden/${GOLDEN}/${goldenName(dir)}`), `a golden list for ${dir}`);
  });

  for (const dir of examples) {
    it(`prints the golden list of ${dir}`, async () => {
      const run = await runCli(['list', dir]);
      assert.equal(run.code, 0);
      assert.equal(run.stdout, golden(`${GOLDEN}/${goldenName(dir)}`));
    });
  }

  it('prints the golden list of examples/legacy under legacy semantics', async () => {
    const run = await runCli(['list', 'examples/legacy', '--semantics', 'legacy']);
    assert.equal(run.stdout, golden(`${GOLDEN}/legacy.semantics-legacy.txt`));
  });
});
