import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileSource } from './file-source.js';
import type { SourceSnapshot } from './source.js';

const pod = (name: string, app: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default, labels: {app: ${app}}}\n`;

/** A FileSource on a scratch directory, with the snapshots it hands out after each change it announces. */
async function withSource(
  setup: (dir: string) => void,
  work: (context: {
    dir: string;
    source: FileSource;
    next: (what: string, ms?: number) => Promise<SourceSnapshot>;
    log: string[];
  }) => Promise<void>,
  { root = (dir: string) => dir }: { root?: (dir: string) => string } = {},
): Promise<void> {
  const parent = mkdtempSync(join(tmpdir(), 'netpol-file-source-'));
  const dir = join(parent, 'm');
  mkdirSync(dir);
  setup(dir);
  const log: string[] = [];
  const source = new FileSource({ paths: [root(dir)], settleMs: 50, pollMs: 200, log: (m) => void log.push(m) });
  let announced = 0;
  source.onChange(() => announced++);
  await source.start();
  /** Waits for the source to announce a change, then reads it. */
  const next = async (what: string, ms = 3000): Promise<SourceSnapshot> => {
    const deadline = Date.now() + ms;
    while (announced === 0) {
      if (Date.now() > deadline) throw new Error(`no change announced: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    announced = 0;
    return source.read();
  };
  try {
    await work({ dir, source, next, log });
  } finally {
    await source.stop();
    rmSync(parent, { recursive: true, force: true });
  }
}

const names = (objects: readonly { name: string }[]): string[] => objects.map((o) => o.name);

describe('FileSource', () => {
  it('reads everything first, then what a rename replaced, with the change against the read before', async () => {
    await withSource(
      (dir) => {
        writeFileSync(join(dir, 'a.yaml'), pod('a', 'one'));
        writeFileSync(join(dir, 'b.yaml'), pod('b', 'one'));
      },
      async ({ dir, source, next }) => {
        const first = source.read();
        assert.deepEqual(names(first.objects), ['a', 'b']);
        assert.deepEqual(names(first.change.added), ['a', 'b']);
        const [a] = first.objects;
        writeFileSync(join(dir, 'b.yaml.tmp'), pod('b', 'two'));
        renameSync(join(dir, 'b.yaml.tmp'), join(dir, 'b.yaml'));
        const second = await next('the rename');
        assert.deepEqual(names(second.change.removed), ['b']);
        assert.deepEqual(names(second.change.added), ['b']);
        assert.equal(second.objects[0], a, 'a.yaml is not read again');
        assert.equal(source.health().synced, true);
      },
    );
  });

  it('keeps what a deleted directory held, says so, and follows the directory made again', async () => {
    await withSource(
      (dir) => writeFileSync(join(dir, 'a.yaml'), pod('a', 'one')),
      async ({ dir, source, next }) => {
        const first = [...source.read().objects];
        rmSync(dir, { recursive: true });
        const gone = await next('the deletion');
        assert.deepEqual(gone.objects, first);
        assert.deepEqual(gone.change, { removed: [], added: [] });
        assert.deepEqual(
          gone.failures?.map((f) => [f.location.file, f.message]),
          [[dir, 'no such file or directory']],
        );
        assert.equal(source.health().synced, false);
        mkdirSync(dir);
        writeFileSync(join(dir, 'b.yaml'), pod('b', 'one'));
        // The directory came back without a resync: the source watched for it.
        let back = await next('the directory to come back', 2000);
        while (back.objects.length !== 1 || back.objects[0]!.name !== 'b') back = await next('b.yaml', 2000);
        assert.deepEqual(back.failures, []);
        writeFileSync(join(dir, 'c.yaml'), pod('c', 'one'));
        const grown = await next('a file in the new directory');
        assert.deepEqual(names(grown.objects), ['b', 'c'], 'the new directory is watched');
      },
    );
  });

  it('follows a directory deleted and made again between two looks, often under the same inode number', async () => {
    await withSource(
      (dir) => writeFileSync(join(dir, 'a.yaml'), pod('a', 'one')),
      async ({ dir, source, next }) => {
        source.read();
        rmSync(dir, { recursive: true });
        mkdirSync(dir);
        writeFileSync(join(dir, 'b.yaml'), pod('b', 'one'));
        let read = await next('the directory made again');
        while (names(read.objects).join() !== 'b') read = await next('b.yaml alone', 2000);
        writeFileSync(join(dir, 'c.yaml'), pod('c', 'one'));
        let grown = await next('a file in the new directory');
        while (names(grown.objects).join() !== 'b,c') grown = await next('c.yaml', 2000);
      },
    );
  });

  it('reads a removal only once the paths are quiet, and a write at once', async () => {
    await withSource(
      (dir) => {
        for (const name of ['a', 'b', 'c']) writeFileSync(join(dir, `${name}.yaml`), pod(name, 'one'));
      },
      async ({ dir, source, next }) => {
        source.read();
        rmSync(join(dir, 'a.yaml'));
        writeFileSync(join(dir, 'b.yaml'), pod('b', 'two'));
        const early = await next('the write');
        assert.deepEqual(names(early.objects), ['a', 'b', 'c'], 'a.yaml is not taken out before the quiet');
        assert.deepEqual(names(early.change.added), ['b'], 'b.yaml is read at once');
        const settled = await next('the removal');
        assert.deepEqual(names(settled.objects), ['b', 'c']);
        assert.deepEqual(names(settled.change.removed), ['a']);
      },
    );
  });

  it('survives a storm of editor saves and directories made and removed, and goes on reading', async () => {
    await withSource(
      (dir) => writeFileSync(join(dir, 'a.yaml'), pod('a', 'one')),
      async ({ dir, source, next }) => {
        source.read();
        const file = join(dir, 'a.yaml');
        for (let i = 0; i < 300; i++) {
          renameSync(file, `${file}~`);
          writeFileSync(file, pod('a', 'one'));
          rmSync(`${file}~`);
          mkdirSync(join(dir, 'sub'));
          writeFileSync(join(dir, 'sub', 'x.yaml'), pod('x', 'one'));
          rmSync(join(dir, 'sub'), { recursive: true });
          mkdirSync(join(dir, 'sub2'));
          rmdirSync(join(dir, 'sub2'));
          if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        writeFileSync(join(dir, 'a.yaml'), pod('a', 'two'));
        let after = await next('a write after the storm');
        while (after.objects[0]?.raw['metadata'] === undefined || names(after.objects).join() !== 'a')
          after = await next('a.yaml alone');
        assert.deepEqual((after.objects[0]!.raw['metadata'] as { labels: unknown }).labels, { app: 'two' });
      },
    );
  });

  it('follows a file replaced by rename, as the lab writes its manifests, and ignores its neighbours', async () => {
    await withSource(
      (dir) =>
        writeFileSync(join(dir, 'manifests.json'), JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [] })),
      async ({ dir, source, next }) => {
        assert.deepEqual(source.read().objects, []);
        writeFileSync(join(dir, 'status.json'), '{}');
        const item = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } };
        writeFileSync(
          join(dir, 'manifests.json.tmp'),
          JSON.stringify({ kind: 'List', apiVersion: 'v1', items: [item] }),
        );
        renameSync(join(dir, 'manifests.json.tmp'), join(dir, 'manifests.json'));
        const changed = await next('the manifests');
        assert.deepEqual(names(changed.objects), ['n']);
      },
      { root: (dir) => join(dir, 'manifests.json') },
    );
  });

  it('starts only once its paths exist: a source never read has no last good state to keep', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'netpol-file-source-wait-'));
    const dir = join(parent, 'later', 'm');
    const log: string[] = [];
    const source = new FileSource({ paths: [dir], pollMs: 100, log: (m) => void log.push(m) });
    let started = false;
    const starting = source.start().then(() => (started = true));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(started, false);
      assert.match(log.join('\n'), /waiting for .*later\/m to exist/);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'a.yaml'), pod('a', 'one'));
      await starting;
      assert.deepEqual(names(source.read().objects), ['a']);
    } finally {
      await source.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
