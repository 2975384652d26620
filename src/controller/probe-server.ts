import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { type ListenAddress, formatListenAddress } from '../util/listen-address.js';

/** A probe's answer: healthy, or why not. */
export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface ProbeTargets {
  readonly registry: Registry;
  /** /healthz: the process works (a liveness probe restarts it otherwise). */
  readonly live: () => ProbeResult;
  /** /readyz: the process does its job now (its caches are synced). */
  readonly ready: () => ProbeResult;
}

export interface ProbeServer {
  /** Where it listens, with the port chosen when 0 was asked: `127.0.0.1:9711`. */
  readonly address: string;
  close(): Promise<void>;
}

/** `/metrics` (Prometheus text format), `/healthz` and `/readyz` (200 `ok`, or 503 and the reason) over HTTP. */
export async function serveProbes(listen: ListenAddress, targets: ProbeTargets): Promise<ProbeServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'only GET and HEAD\n');
    if (path === '/healthz' || path === '/readyz') {
      const result = path === '/healthz' ? targets.live() : targets.ready();
      return result.ok ? reply(200, 'ok\n') : reply(503, `${result.reason}\n`);
    }
    if (path === '/metrics') {
      targets.registry.metrics().then(
        (text) => reply(200, text, targets.registry.contentType),
        (e: unknown) => reply(500, `${e instanceof Error ? e.message : String(e)}\n`),
      );
      return;
    }
    reply(404, 'not found: /metrics, /healthz and /readyz are served here\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: formatListenAddress({ host: listen.host ?? undefined, port: bound.port }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
