import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatListenAddress, parseListenAddress } from './listen-address.js';

describe('listen addresses', () => {
  it('reads HOST:PORT as Go reads it', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:9711'), { host: '127.0.0.1', port: 9711 });
    assert.deepEqual(parseListenAddress('[::1]:9711'), { host: '::1', port: 9711 });
    assert.deepEqual(parseListenAddress('localhost:0'), { host: 'localhost', port: 0 });
    assert.deepEqual(parseListenAddress(':9711'), { host: undefined, port: 9711 }, 'every address');
    assert.deepEqual(parseListenAddress('0.0.0.0:65535'), { host: '0.0.0.0', port: 65535 });
  });

  it('says what is wrong with an address it cannot read', () => {
    const refused: [string, RegExp][] = [
      ['9711', /^Error: 9711: not HOST:PORT \(127\.0\.0\.1:9711, \[::1\]:9711, :9711 for every address\)$/],
      ['127.0.0.1', /not HOST:PORT/],
      ['127.0.0.1:', /not HOST:PORT/],
      ['127.0.0.1:http', /not HOST:PORT/],
      ['::1:9711', /^Error: ::1:9711: an IPv6 address goes in brackets: \[ADDRESS\]:PORT$/],
      ['127.0.0.1:70000', /port 70000 is out of range \(0 to 65535\)/],
      ['[127.0.0.1]:80', /127\.0\.0\.1 in brackets is not an IPv6 address/],
      ['bad_host:80', /bad_host is neither an IP address nor a host name/],
    ];
    for (const [text, message] of refused) assert.throws(() => parseListenAddress(text), message, text);
  });

  it('writes an address back the way it reads', () => {
    for (const text of ['127.0.0.1:9711', '[::1]:9711', ':9711', 'localhost:1']) {
      assert.equal(formatListenAddress(parseListenAddress(text)), text);
    }
  });
});
