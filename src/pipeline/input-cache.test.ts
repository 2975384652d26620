import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputCache, inputsDigest } from './input-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'netpol-input-cache-'));
const pod = (name: string, app: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default, labels: {app: ${app}}}\n`;

describe('InputCache', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('re-reads only what changed, keeps the other objects as they were, and digests like inputsDigest', () => {
    writeFileSync(join(dir, 'a.yaml'), pod('a', 'one'));
    writeFileSync(join(dir, 'b.yaml'), pod('b', 'one'));
    const cache = new InputCache();
    const first = cache.read([dir]);
    assert.deepEqual(
      first.load.objects.map((o) => o.name),
      ['a', 'b'],
    );
    assert.equal(first.digest, inputsDigest([dir]));

    writeFileSync(join(dir, 'b.yaml'), pod('b', 'two'));
    const second = cache.read([dir], new Set([join(dir, 'b.yaml')]));
    assert.equal(second.load.objects[0], first.load.objects[0], 'a.yaml was not parsed again');
    assert.deepEqual(second.load.objects[1]!.raw['metadata'], {
      name: 'b',
      namespace: 'default',
      labels: { app: 'two' },
    });
    assert.equal(second.digest, inputsDigest([dir]));
    assert.notEqual(second.digest, first.digest);
  });

  it('trusts unchanged files when told what changed, and checks every file when not', () => {
    const cache = new InputCache();
    writeFileSync(join(dir, 'a.yaml'), pod('a', 'one'));
    cache.read([dir]);
    writeFileSync(join(dir, 'a.yaml'), pod('a', 'three'));
    assert.deepEqual(cache.read([dir], new Set()).load.objects[0]!.raw['metadata'], {
      name: 'a',
      namespace: 'default',
      labels: { app: 'one' },
    });
    assert.deepEqual(cache.read([dir]).load.objects[0]!.raw['metadata'], {
      name: 'a',
      namespace: 'default',
      labels: { app: 'three' },
    });
  });

  it('forgets deleted files and reports validation per file', () => {
    const cache = new InputCache();
    writeFileSync(join(dir, 'c.yaml'), pod('C_bad', 'x'));
    const bad = cache.read([dir]);
    assert.equal(bad.diagnostics.length, 1);
    assert.match(bad.diagnostics[0]!.message, /metadata\.name: Invalid value: "C_bad"/);
    rmSync(join(dir, 'c.yaml'));
    const good = cache.read([dir], new Set([join(dir, 'c.yaml')]));
    assert.equal(good.diagnostics.length, 0);
    assert.deepEqual(
      good.load.objects.map((o) => o.name),
      ['a', 'b'],
    );
  });
});

describe('InputCache changes', () => {
  it(
    'says which objects a read took away and brought in, whether all is valid, ' + 'and refuses to gather stale inputs',
    () => {
      const root = mkdtempSync(join(tmpdir(), 'netpol-input-change-'));
      try {
        writeFileSync(join(root, 'a.yaml'), pod('a', 'one'));
        writeFileSync(join(root, 'b.yaml'), pod('b', 'one'));
        const cache = new InputCache();
        const first = cache.read([root]);
        assert.deepEqual(
          first.change.added.map((o) => o.name),
          ['a', 'b'],
        );
        assert.equal(first.valid, true);
        const [a, b] = first.load.objects;

        writeFileSync(join(root, 'b.yaml'), pod('b', 'two'));
        writeFileSync(join(root, 'c.yaml'), pod('C_bad', 'x'));
        const second = cache.read([root], new Set([join(root, 'b.yaml'), join(root, 'c.yaml')]));
        assert.deepEqual(second.change.removed, [b]);
        assert.deepEqual(
          second.change.added.map((o) => o.name),
          ['b'],
          'C_bad does not validate: the API server would never have held it',
        );
        assert.equal(second.valid, false, 'c.yaml does not validate');
        assert.deepEqual(
          second.load.objects.map((o) => o.name),
          ['a', 'b', 'C_bad'],
          'load is what the files say',
        );
        assert.deepEqual(
          second.objects.map((o) => o.name),
          ['a', 'b'],
          'objects is what is enforced',
        );

        rmSync(join(root, 'c.yaml'));
        const third = cache.read([root], new Set([join(root, 'c.yaml')]));
        assert.deepEqual(third.change.removed, [], 'C_bad was never among the objects');
        assert.deepEqual(third.change.added, []);
        assert.equal(third.valid, true);
        assert.equal(third.load.objects[0], a, 'a.yaml is the same object throughout');
        assert.throws(
          () => second.digest,
          /read over since/,
          'what second saw is gone: gathering it now would give third',
        );
        assert.equal(cache.read([root], new Set()).change.added.length, 0);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
});

describe('InputCache keeps the last good state', () => {
  const policy = (port: number): string =>
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: default}\n' +
    `spec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - port: ${port}\n`;

  it('an object that stops validating keeps its last valid version, as after a refused update', () => {
    const root = mkdtempSync(join(tmpdir(), 'netpol-input-kept-'));
    try {
      const file = join(root, 'p.yaml');
      writeFileSync(file, `${pod('a', 'one')}---\n${policy(80)}`);
      const cache = new InputCache();
      const first = cache.read([root]);
      const [, valid] = first.objects;
      writeFileSync(file, `${pod('a', 'two')}---\n${policy(70000)}`);
      const second = cache.read([root], new Set([file]));
      assert.equal(second.objects[1], valid, 'port 80 stays');
      assert.deepEqual(second.objects[0]!.raw['metadata'], { name: 'a', namespace: 'default', labels: { app: 'two' } });
      assert.deepEqual(
        second.change.removed.map((o) => o.name),
        ['a'],
      );
      assert.deepEqual(
        second.change.added.map((o) => o.name),
        ['a'],
      );
      assert.match(second.diagnostics[0]!.message, /port: Invalid value: 70000/);
      writeFileSync(file, pod('a', 'two'));
      const third = cache.read([root], new Set([file]));
      assert.deepEqual(
        third.objects.map((o) => o.kind),
        ['Pod'],
        'deleting the invalid object deletes the object',
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a file that stops loading keeps its last good objects; at the first read, what loads is used', () => {
    const root = mkdtempSync(join(tmpdir(), 'netpol-input-broken-'));
    try {
      const file = join(root, 'p.yaml');
      writeFileSync(file, `${pod('a', 'one')}---\n${pod('b', 'one')}`);
      const cache = new InputCache();
      const first = [...cache.read([root]).objects];
      writeFileSync(file, `${pod('a', 'two')}---\nfoo: [\n---\n${pod('c', 'one')}`);
      const second = cache.read([root], new Set([file]));
      assert.deepEqual(second.objects, first, 'a syntax error loses what follows it: nothing of it is taken');
      assert.deepEqual(second.change, { removed: [], added: [] });
      assert.match(second.failures[0]!.message, /YAML syntax error/);
      // The flow sequence opened on line 5 is found unterminated at the `---` of line 6.
      assert.equal(second.failures[0]!.location.line, 6);

      const fresh = new InputCache().read([root]);
      assert.deepEqual(
        fresh.objects.map((o) => o.name),
        ['a'],
        'with nothing read before, the objects before the error are enforced',
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a path that is gone keeps what it held, says so, and is read again when it is back', () => {
    const parent = mkdtempSync(join(tmpdir(), 'netpol-input-gone-'));
    const root = join(parent, 'm');
    try {
      mkdirSync(root);
      writeFileSync(join(root, 'a.yaml'), pod('a', 'one'));
      const cache = new InputCache();
      const first = [...cache.read([root]).objects];
      rmSync(root, { recursive: true });
      for (const changed of [new Set([join(root, 'a.yaml'), root]), undefined]) {
        const gone = cache.read([root], changed);
        assert.deepEqual(gone.objects, first);
        assert.deepEqual(gone.change, { removed: [], added: [] });
        assert.deepEqual(gone.failures, [{ location: { file: root, line: 0 }, message: 'no such file or directory' }]);
      }
      mkdirSync(root);
      writeFileSync(join(root, 'b.yaml'), pod('b', 'one'));
      const back = cache.read([root]);
      assert.deepEqual(
        back.objects.map((o) => o.name),
        ['b'],
      );
      assert.deepEqual(back.failures, []);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('InputCache listings', () => {
  it('keeps the walk order when told of new, replaced and deleted files, as a fresh walk would give it', async () => {
    const { mkdirSync } = await import('node:fs');
    const root = mkdtempSync(join(tmpdir(), 'netpol-input-listing-'));
    try {
      mkdirSync(join(root, 'b'));
      for (const name of ['a.yaml', 'c.yaml', 'b/x.yaml'])
        writeFileSync(join(root, name), pod(name.replace(/\W/g, ''), 'one'));
      const cache = new InputCache();
      cache.read([root]);
      const added = ['b-0.yaml', 'b/a.yaml', '.hidden.yaml', 'notes.txt', 'd.json'];
      for (const name of added) writeFileSync(join(root, name), pod(name.replace(/\W/g, '').toLowerCase(), 'two'));
      rmSync(join(root, 'c.yaml'));
      const changed = new Set([...added, 'c.yaml', 'a.yaml'].map((n) => join(root, n)));
      const incremental = cache.read([root], changed).load.objects.map((o) => o.origin.file);
      const fresh = new InputCache().read([root]).load.objects.map((o) => o.origin.file);
      assert.deepEqual(incremental, fresh);
      assert.deepEqual(
        fresh.map((f) => f.slice(root.length + 1)),
        ['a.yaml', 'b/a.yaml', 'b/x.yaml', 'b-0.yaml', 'd.json'],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('InputCache, a file given by name', () => {
  it('reads the file once it exists, when told it changed', () => {
    const root = mkdtempSync(join(tmpdir(), 'netpol-input-file-'));
    try {
      const file = join(root, 'manifests.yaml');
      const cache = new InputCache();
      const missing = cache.read([file]);
      assert.deepEqual(missing.objects, []);
      assert.equal(missing.failures[0]!.message, 'no such file or directory');
      writeFileSync(file, pod('a', 'one'));
      const there = cache.read([file], new Set([file]));
      assert.deepEqual(
        there.objects.map((o) => o.name),
        ['a'],
      );
      assert.deepEqual(there.failures, []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
