import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

export interface SyncResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * A worker thread's fetch, the calling thread waiting on a shared flag: plain JavaScript, so it runs the same from
 * the build and under tsx.
 */
const WORKER = `
const { workerData } = require('node:worker_threads');
const { port, flag } = workerData;
const signal = new Int32Array(flag);
port.on('message', async ({ url, method, body, headers, timeoutMs }) => {
  let reply;
  try {
    const response = await fetch(url, { method, body, headers, signal: AbortSignal.timeout(timeoutMs) });
    reply = { status: response.status, body: await response.text() };
  } catch (error) {
    reply = { error: String((error && error.message) || error) };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

/**
 * HTTP requests that block until they are answered, for code that is synchronous throughout (the lab's commands,
 * which wait for network namespaces and processes the same way): one worker thread makes the requests, the caller
 * waits on a shared flag. Never use it against a server in the same thread: that one could not answer.
 */
export class SyncHttp {
  private readonly worker: Worker;
  private readonly port: MessageChannel['port1'];
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));

  constructor(private readonly timeoutMs = 30_000) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER, {
      eval: true,
      execArgv: [],
      workerData: { port: port2, flag: this.signal.buffer },
      transferList: [port2],
    });
    this.worker.unref();
  }

  request(method: string, url: string, body?: unknown, contentType = 'application/json'): SyncResponse {
    Atomics.store(this.signal, 0, 0);
    this.port.postMessage({
      url,
      method,
      timeoutMs: this.timeoutMs,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': contentType } }),
    });
    if (Atomics.wait(this.signal, 0, 0, this.timeoutMs + 1000) === 'timed-out')
      throw new Error(`${method} ${url}: no answer within ${this.timeoutMs / 1000} s`);
    const reply = receiveMessageOnPort(this.port)?.message as (SyncResponse & { error?: string }) | undefined;
    if (reply === undefined) throw new Error(`${method} ${url}: the request thread gave no answer`);
    if (reply.error !== undefined) throw new Error(`${method} ${url}: ${reply.error}`);
    return reply;
  }

  close(): void {
    void this.worker.terminate();
  }
}
