import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from './work-queue.js';

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);

describe('WorkQueue', () => {
  it('coalesces a burst of adds of one key into one piece of work, in the order keys came', async () => {
    const queue = new WorkQueue<string>();
    for (const key of ['a', 'b', 'a', 'a', 'c', 'b']) queue.add(key);
    assert.equal(queue.length, 3);
    assert.deepEqual([await queue.get(), await queue.get(), await queue.get()], ['a', 'b', 'c']);
    assert.equal(queue.length, 0);
    assert.equal(queue.length, 0, 'nothing more');
  });

  it('hands a key to one worker at a time, and again once after it is done when it changed meanwhile', async () => {
    const queue = new WorkQueue<string>();
    queue.add('a');
    assert.equal(await queue.get(), 'a');
    queue.add('a');
    queue.add('a');
    assert.equal(queue.length, 0, 'not handed out while a worker has it');
    const next = queue.get();
    assert.equal(await within(next, 30), 'timeout');
    queue.done('a');
    assert.equal(await next, 'a', 'the waiting worker takes it once it is done');
    queue.done('a');
    assert.equal(queue.length, 0, 'the two adds were one');
    queue.shutDown();
  });

  it('wakes a waiting worker when a key comes', async () => {
    const queue = new WorkQueue<string>();
    const waiting = queue.get();
    setTimeout(() => queue.add('late'), 10);
    assert.equal(await waiting, 'late');
  });

  it('backs off per key, exponentially with jitter, until forgotten', () => {
    const draws = [0, 1, 0.5, 0];
    const queue = new WorkQueue<string>({ random: () => draws.shift() ?? 0 });
    // 100 ms doubling, each stretched by up to half: the draws 0, 1, 0.5 give 100, 300 (200 * 1.5), 500 (400 * 1.25).
    assert.deepEqual(
      [queue.addRateLimited('a'), queue.addRateLimited('a'), queue.addRateLimited('a')],
      [100, 300, 500],
    );
    assert.equal(queue.retries('a'), 3);
    assert.equal(queue.addRateLimited('b'), 100, 'each key has its own backoff');
    queue.forget('a');
    assert.equal(queue.retries('a'), 0);
    assert.equal(new WorkQueue<string>({ backoff: { initialMs: 10, jitter: 0 } }).addRateLimited('x'), 10);
    queue.shutDown();
  });

  it('caps the backoff', () => {
    const queue = new WorkQueue<string>({ backoff: { initialMs: 100, maxMs: 1000, jitter: 0 } });
    const delays = Array.from({ length: 6 }, () => queue.addRateLimited('a'));
    assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
    queue.shutDown();
  });

  it('queues a failed key after its delay; an event for it meanwhile is worked on at once', async () => {
    const queue = new WorkQueue<string>({ backoff: { initialMs: 5000, jitter: 0 } });
    queue.add('a');
    await queue.get();
    queue.addRateLimited('a');
    queue.done('a');
    assert.equal(queue.delayedCount, 1);
    const next = queue.get();
    assert.equal(await within(next, 50), 'timeout', 'waiting out the delay');
    queue.add('a');
    assert.equal(await within(next, 50), 'a');
    queue.shutDown();
  });

  it("holds a throttled key for the server's Retry-After, whatever is added meanwhile", async () => {
    const queue = new WorkQueue<string>({ backoff: { initialMs: 10, jitter: 0 } });
    queue.add('a');
    await queue.get();
    const started = Date.now();
    assert.equal(queue.addRateLimited('a', 300), 300, 'Retry-After is the floor');
    queue.add('a');
    queue.done('a');
    queue.add('a');
    assert.equal(await queue.get(), 'a');
    assert.ok(Date.now() - started >= 290, `handed out after ${Date.now() - started} ms`);
    queue.done('a');
    queue.forget('a');
    queue.add('a');
    assert.equal(await within(queue.get(), 50), 'a', 'success ends the hold');
  });

  it('keeps the earlier of two delays for one key', async () => {
    const queue = new WorkQueue<string>();
    queue.addAfter('a', 5000);
    queue.addAfter('a', 20);
    assert.equal(await within(queue.get(), 500), 'a');
    queue.shutDown();
  });

  it('answers waiting workers with undefined when it shuts down, and hands out nothing after', async () => {
    const queue = new WorkQueue<string>();
    const waiting = queue.get();
    queue.shutDown();
    assert.equal(await waiting, undefined);
    queue.add('a');
    assert.equal(await queue.get(), undefined);
  });
});
