// The dataplane bench's traffic, run inside a pod's network namespace. Plain JavaScript so that it
// starts fast. Prints one JSON line with its counts when done; `hold` prints "ready" first.
//   rate    --ip IP --port P --ms MS --concurrency C   new TCP connections as fast as they complete, and CPU time
//   latency --ip IP --port P --count N                 one connection at a time; connect times in µs
//   hold    --ip IP --port P --open N --ms MS          N echoing connections kept open, plus new ones
//   outcome --ip IP --port P                           one attempt: connected, refused or timeout
import { createConnection } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const argv = process.argv.slice(2);
const mode = argv[0];
const flag = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? argv[i + 1] : fallback;
};
const ip = flag('ip');
const port = Number(flag('port'));
// Longer than TCP's first SYN retransmission (1 s): a SYN lost once is retransmitted and shows in the
// namespace's TcpExtTCPSynRetrans; only a connection whose SYN is lost twice fails.
const CONNECT_TIMEOUT_MS = 1500;

/**
 * Opens one connection; resolves with µs to connect, or with undefined when it fails. Resets it after.
 * A timeout is judged one turn of the event loop late: when this process was itself stalled (a busy
 * machine), its timers fire before the I/O that completed meanwhile is looked at, and a connection
 * the kernel made in time would count as failed.
 */
function connectOnce() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const socket = createConnection({ host: ip, port });
    let settled = false;
    const settle = (value) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
      setImmediate(() => {
        if (settled) return;
        socket.destroy();
        settle(undefined);
      }),
    );
    socket.once('error', () => settle(undefined));
    socket.once('connect', () => {
      const us = Number(process.hrtime.bigint() - started) / 1000;
      // A reset leaves no TIME_WAIT behind, so the client never runs out of ports.
      socket.setTimeout(0);
      socket.resetAndDestroy();
      settle(us);
    });
  });
}

async function rate() {
  const ms = Number(flag('ms', '1000'));
  const concurrency = Number(flag('concurrency', '32'));
  // How long this process itself went without running: a stall here is the machine, not the network.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpuBefore = process.cpuUsage();
  const deadline = performance.now() + ms;
  let connections = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        if ((await connectOnce()) === undefined) failures++;
        else connections++;
      }
    }),
  );
  delay.disable();
  // This process's CPU time (user and system), in ms: the bench adds the server's to rate connections per CPU second.
  const cpu = process.cpuUsage(cpuBefore);
  return {
    connections,
    failures,
    ms: performance.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxStallMs: Math.round(delay.max / 1e6),
  };
}

async function latency() {
  const count = Number(flag('count', '1000'));
  const samples = [];
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const us = await connectOnce();
    if (us === undefined) failures++;
    else samples.push(us);
  }
  return { samples, failures };
}

/** Held connections echo a ping every 100 ms; one that misses an echo for a second, or errors, is lost. */
async function hold() {
  const open = Number(flag('open', '150'));
  const ms = Number(flag('ms', '5000'));
  const held = await Promise.all(
    Array.from(
      { length: open },
      () =>
        new Promise((resolve, reject) => {
          const socket = createConnection({ host: ip, port });
          const state = { socket, lost: false, lastEcho: performance.now(), echoes: 0 };
          socket.once('connect', () => resolve(state));
          socket.once('error', (error) => (state.echoes === 0 ? reject(error) : (state.lost = true)));
          socket.on('close', () => {
            state.lost = true;
          });
          socket.on('data', () => {
            state.lastEcho = performance.now();
            state.echoes++;
          });
        }),
    ),
  );
  process.stdout.write('ready\n');
  const deadline = performance.now() + ms;
  const pinger = setInterval(() => {
    for (const h of held) {
      if (performance.now() - h.lastEcho > 1000) h.lost = true;
      if (!h.lost) h.socket.write('ping');
    }
  }, 100);
  let fresh = 0;
  let freshFailures = 0;
  while (performance.now() < deadline) {
    if ((await connectOnce()) === undefined) freshFailures++;
    else fresh++;
  }
  clearInterval(pinger);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const heldLost = held.filter((h) => h.lost || performance.now() - h.lastEcho > 1000).length;
  for (const h of held) h.socket.destroy();
  return { open, heldLost, echoes: held.reduce((n, h) => n + h.echoes, 0), fresh, freshFailures };
}

function outcome() {
  return new Promise((resolve) => {
    const socket = createConnection({ host: ip, port });
    const done = (result) => {
      socket.destroy();
      resolve({ outcome: result });
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done('timeout'));
    socket.once('connect', () => done('connected'));
    socket.once('error', (error) => done(error.code === 'ECONNREFUSED' ? 'refused' : 'timeout'));
  });
}

const modes = { rate, latency, hold, outcome };
if (!(mode in modes)) {
  process.stderr.write(`dataplane-client: unknown mode ${mode}\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(await modes[mode]())}\n`);
process.exit(0);
