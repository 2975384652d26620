import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { ResilientWatch } from './kube-http.js';

/** A server whose watches answer only after `delayMs`, then stream until the client goes. */
function slowWatchServer(delayMs: number): { server: Server; requests: () => number; openWatches: () => number } {
  let requests = 0;
  let open = 0;
  const server = createServer((req, res) => {
    requests++;
    setTimeout(() => {
      if (req.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      open++;
      res.on('close', () => open--);
    }, delayMs);
  });
  return { server, requests: () => requests, openWatches: () => open };
}

function configFor(server: Server): KubeConfig {
  const config = new KubeConfig();
  const { port } = server.address() as AddressInfo;
  config.loadFromOptions({
    clusters: [{ name: 'test', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'test' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  return config;
}

/** A server whose watches send one event, then have their connection reset. */
function cuttingServer(): Server {
  return createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}\n{"type":"MOD');
    setTimeout(() => res.socket?.resetAndDestroy(), 50);
  });
}

describe('ResilientWatch', () => {
  const slow = slowWatchServer(300);
  before(() => new Promise<void>((resolve) => slow.server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => slow.server.close(() => resolve())));
  const options = { responseMs: 5000, timeoutSeconds: () => 300 };
  const ignore = (): void => {};

  // client-node's ListWatch.stop() aborts only the watch it holds; this one was still opening, and held the
  // process open for minutes after the controller said it had stopped.
  it('stopped while a watch is opening, leaves no watch open', async () => {
    const watch = new ResilientWatch(configFor(slow.server), options);
    const opening = watch.watch('/api/v1/pods', {}, ignore, ignore);
    await sleep(50);
    watch.stop();
    const controller = await opening;
    assert.ok(controller.signal.aborted, 'the watch it returns is aborted');
    await sleep(500);
    assert.equal(slow.openWatches(), 0, 'the server holds no watch from it');
  });

  it('ends a watch whose connection is reset with an error, and never throws', async () => {
    const cutting = cuttingServer();
    await new Promise<void>((resolve) => cutting.listen(0, '127.0.0.1', resolve));
    try {
      const watch = new ResilientWatch(configFor(cutting), options);
      const events: string[] = [];
      const done = new Promise<unknown>((resolve) => {
        void watch.watch('/api/v1/pods', {}, (phase) => events.push(phase), resolve);
      });
      const error = await done;
      assert.deepEqual(events, ['ADDED']);
      assert.ok(error instanceof Error, `done with an error, not ${String(error)}`);
    } finally {
      await new Promise<void>((resolve) => cutting.close(() => resolve()));
    }
  });

  it('once stopped, opens no watch at all', async () => {
    const watch = new ResilientWatch(configFor(slow.server), options);
    watch.stop();
    const before = slow.requests();
    const controller = await watch.watch('/api/v1/pods', {}, ignore, ignore);
    assert.ok(controller.signal.aborted);
    assert.equal(slow.requests(), before, 'no request reached the server');
  });
});
