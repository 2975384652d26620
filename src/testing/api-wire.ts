import assert from 'node:assert/strict';
import type { JSONObject, JSONValue } from '../util/json.js';

/** Raw HTTP against the test server, for tests that check the wire format itself. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: JSONObject;
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: JSONValue | string,
  contentType = 'application/json',
): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': contentType },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as JSONObject) };
}

export interface WatchEvent {
  readonly type: string;
  readonly object: JSONObject;
}

/** Reads a watch stream line by line; each line must be one JSON event. */
export class EventReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly controller = new AbortController();
  private reader!: ReadableStreamDefaultReader<Uint8Array>;
  status = 0;
  contentType = '';

  static async open(base: string, path: string): Promise<EventReader> {
    const reader = new EventReader();
    const res = await fetch(base + path, { signal: reader.controller.signal });
    reader.status = res.status;
    reader.contentType = res.headers.get('content-type') ?? '';
    reader.reader = res.body!.getReader();
    return reader;
  }

  /** The next event, or undefined when the server ended the stream. Fails after `timeoutMs`. */
  async next(timeoutMs = 3000): Promise<WatchEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const newline = this.buffer.indexOf('\n');
      if (newline >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        return JSON.parse(line) as WatchEvent;
      }
      const remaining = deadline - Date.now();
      assert.ok(remaining > 0, `no watch event within ${timeoutMs} ms`);
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), remaining).unref()),
      ]);
      assert.notEqual(chunk, 'timeout', `no watch event within ${timeoutMs} ms`);
      const { done, value } = chunk as { done: boolean; value?: Uint8Array };
      if (done) return undefined;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** `ADDED default/web 12` for each of the next `count` events. */
  async summaries(count: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const event = await this.next();
      assert.ok(event !== undefined, `the stream ended after ${i} of ${count} events`);
      out.push(summary(event));
    }
    return out;
  }

  close(): void {
    this.controller.abort();
  }
}

export function summary(event: WatchEvent): string {
  const meta = event.object['metadata'] as JSONObject;
  const name = meta['namespace'] !== undefined ? `${String(meta['namespace'])}/${String(meta['name'])}` : meta['name'];
  return `${event.type} ${String(name)}`;
}
