import { isIP } from 'node:net';

/** Where a server listens: `host` undefined for every address of the machine (Go's `:8080`). */
export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * Reads `HOST:PORT` as Go's net.SplitHostPort does, which is how controller-runtime and kubelet take their bind
 * addresses: `127.0.0.1:9711`, `[::1]:9711`, `localhost:9711`, `:9711` (every address). Port 0 picks a free one.
 * Throws with what is wrong.
 */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (match === null) {
    throw new Error(
      /^[^[]*:.*:/.test(text)
        ? `${text}: an IPv6 address goes in brackets: [ADDRESS]:PORT`
        : `${text}: not HOST:PORT (127.0.0.1:9711, [::1]:9711, :9711 for every address)`,
    );
  }
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`${text}: port ${port} is out of range (0 to 65535)`);
  if (match[1] !== undefined && isIP(host) !== 6)
    throw new Error(`${text}: ${host} in brackets is not an IPv6 address`);
  if (
    host !== '' &&
    isIP(host) === 0 &&
    !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i.test(host)
  )
    throw new Error(`${text}: ${host} is neither an IP address nor a host name`);
  return { host: host === '' ? undefined : host, port };
}

/** `127.0.0.1:9711`, `[::1]:9711`, `:9711`. */
export const formatListenAddress = (a: ListenAddress): string =>
  `${a.host === undefined ? '' : isIP(a.host) === 6 ? `[${a.host}]` : a.host}:${a.port}`;
