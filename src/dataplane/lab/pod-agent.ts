/**
 * Runs inside one pod's network namespace (its node's, for a pod in the
 * node's network): TCP and UDP servers on the ports the lab names, and a
 * probe client that the lab drives over a unix socket (the filesystem is
 * shared across network namespaces; the network is not).
 *
 *   pod-agent --socket PATH --ports 80/TCP,81/UDP
 */
import { type Socket, createSocket } from 'node:dgram';
import { createConnection, createServer } from 'node:net';
import { rmSync } from 'node:fs';

export interface ProbeRequest {
  readonly id: number;
  readonly ip: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly timeoutMs: number;
}

/**
 * What became of one attempt. `refused` means the packet reached the pod and
 * nothing listened there (a TCP reset, an ICMP port unreachable): the network
 * let it through. Policy drops are silent, so they end in `timeout`.
 */
export type ProbeOutcome = 'connected' | 'refused' | 'timeout';

export interface ProbeReply {
  readonly id: number;
  readonly outcome: ProbeOutcome;
}

const ACCEPT_BACKLOG = 4096;

/** Listens on every port, and resolves once all listen; a port that cannot be had is an error that names it. */
function serve(ports: readonly string[]): Promise<void> {
  return Promise.all(
    ports.map(
      (spec) =>
        new Promise<void>((resolve, reject) => {
          const [port, protocol] = spec.split('/');
          const failed = (error: Error): void => reject(new Error(`cannot serve ${spec}: ${error.message}`));
          if (protocol === 'TCP') {
            // An echo server: probes only connect, and the dataplane bench keeps connections open and pings them.
            // The accept queue is as long as the namespace allows (net.core.somaxconn, 4096): with Node's 511, a
            // server starved of CPU for a moment on a busy machine let the queue fill under the bench's stream of
            // connections, and the kernel then dropped SYNs (TcpExtListenOverflows), which looked like failures.
            const server = createServer((socket) => {
              socket.on('data', (data) => socket.write(data));
              socket.on('end', () => socket.end());
              socket.on('error', () => socket.destroy());
            });
            server.once('error', failed);
            server.listen({ port: Number(port), host: '0.0.0.0', backlog: ACCEPT_BACKLOG }, resolve);
          } else if (protocol === 'UDP') {
            const socket = createSocket('udp4');
            socket.on('message', (message, from) => socket.send(message, from.port, from.address));
            socket.once('error', failed);
            socket.bind(Number(port), '0.0.0.0', resolve);
          } else {
            // SCTP: this kernel has none; the lab reports SCTP probes as not run.
            resolve();
          }
        }),
    ),
  ).then(() => undefined);
}

function probe(request: ProbeRequest): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const outcomeOf = (error: NodeJS.ErrnoException): ProbeOutcome =>
      error.code === 'ECONNREFUSED' ? 'refused' : 'timeout';
    if (request.protocol === 'TCP') {
      const socket = createConnection({ host: request.ip, port: request.port });
      const done = (outcome: ProbeOutcome): void => {
        socket.destroy();
        resolve(outcome);
      };
      socket.setTimeout(request.timeoutMs, () => done('timeout'));
      socket.once('connect', () => done('connected'));
      socket.once('error', (error) => done(outcomeOf(error)));
      return;
    }
    // A connected UDP socket hears the ICMP port unreachable of a closed port as ECONNREFUSED.
    const socket = createSocket('udp4');
    const timer = setTimeout(() => done('timeout'), request.timeoutMs);
    const done = (outcome: ProbeOutcome): void => {
      clearTimeout(timer);
      socket.close();
      resolve(outcome);
    };
    socket.once('message', () => done('connected'));
    bindProbePort(socket, UDP_PROBE_PORT_TRIES, () => {
      socket.once('error', (error) => done(outcomeOf(error)));
      socket.connect(request.port, request.ip, () => socket.send('probe'));
    });
  });
}

/**
 * UDP probes leave from ports taken in turn, never the kernel's random pick: a probe that reused the source port
 * of an earlier, allowed probe to the same server within conntrack's UDP timeout (30 s) matched that flow's
 * entry and was let through as established after a policy had come to deny it. Below the ephemeral range, so
 * that no kernel-chosen port is taken; a port in use is skipped.
 */
const UDP_PROBE_PORTS = { first: 20_000, count: 10_000 };
const UDP_PROBE_PORT_TRIES = 20;
let nextProbePort = UDP_PROBE_PORTS.first + Math.floor(Math.random() * UDP_PROBE_PORTS.count);

function bindProbePort(socket: Socket, tries: number, bound: () => void): void {
  const port = nextProbePort;
  nextProbePort = UDP_PROBE_PORTS.first + ((port + 1 - UDP_PROBE_PORTS.first) % UDP_PROBE_PORTS.count);
  const retry = (): void => {
    if (tries > 1) bindProbePort(socket, tries - 1, bound);
    else socket.bind(0, bound);
  };
  socket.once('error', retry);
  socket.bind(port, () => {
    socket.off('error', retry);
    bound();
  });
}

function control(path: string): void {
  rmSync(path, { force: true });
  createServer((connection) => {
    let buffered = '';
    connection.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const request = JSON.parse(buffered.slice(0, newline)) as ProbeRequest;
        buffered = buffered.slice(newline + 1);
        void probe(request).then((outcome) => {
          if (!connection.destroyed)
            connection.write(`${JSON.stringify({ id: request.id, outcome } satisfies ProbeReply)}\n`);
        });
      }
    });
    connection.on('error', () => {});
  }).listen(path);
}

function main(argv: readonly string[]): void {
  const value = (flag: string): string => {
    const i = argv.indexOf(flag);
    if (i < 0 || argv[i + 1] === undefined) throw new Error(`pod-agent: ${flag} is required`);
    return argv[i + 1]!;
  };
  const ports = value('--ports');
  process.on('SIGTERM', () => process.exit(0));
  // The control socket appears only once every port is served: the lab waits for it before it probes.
  serve(ports === '-' ? [] : ports.split(',')).then(
    () => control(value('--socket')),
    (error: Error) => {
      process.stderr.write(`pod-agent: ${error.message}\n`);
      process.exit(1);
    },
  );
}

main(process.argv.slice(2));
