import { spawnSync } from 'node:child_process';

/**
 * Tests that need root, nftables and iproute2 never skip: they fail and say
 * what is missing. CI runs as root and .ci/run installs the packages.
 */
export function requireKernelTools(): void {
  if (process.getuid?.() !== 0) throw new Error('this test needs root (CI runs as root): run the tests with sudo');
  for (const [tool, pkg] of [
    ['nft', 'nftables'],
    ['ip', 'iproute2'],
  ] as const) {
    const found = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (found.error) throw new Error(`${tool} is missing: apt-get install ${pkg}`);
  }
}

let counter = 0;
/** A network namespace of the test's own, removed afterwards whatever happens, also after async work. */
export function withScratchNetns<T>(work: (netns: string) => T): T {
  const netns = `np-test-${process.pid}-${counter++}`;
  const add = spawnSync('ip', ['netns', 'add', netns], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`ip netns add ${netns}: ${add.stderr}`);
  const remove = (): void => void spawnSync('ip', ['netns', 'del', netns]);
  let result: T;
  try {
    result = work(netns);
  } catch (error) {
    remove();
    throw error;
  }
  if (result instanceof Promise) return result.finally(remove) as T;
  remove();
  return result;
}
