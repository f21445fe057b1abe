// Shared pieces of the operations tests (issue 8): reading the Prometheus exposition of an
// instance (GET /metrics on its API listener) into samples, a fake secondary that acknowledges
// NOTIFY, and plain HTTP calls with a bearer token (the SDK has no method for the extensions).

import { type Socket, createSocket } from 'node:dgram';
import { Flag } from '../../../src/wire/index.js';

/** Sample is one line of the text exposition: name, labels, value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** parseMetrics reads the Prometheus text format (0.0.4); comments and blank lines are skipped. */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** value sums the samples of `name` whose labels include `labels`; undefined when none match. */
export function value(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hits.length === 0 ? undefined : hits.reduce((a, s) => a + s.value, 0);
}

/** rootOf turns an instance's apiUrl (…/client/v4) into the listener's root URL. */
export function rootOf(apiUrl: string): string {
  return apiUrl.replace(/\/client\/v4$/, '');
}

/** scrape fetches GET /metrics from the API listener and parses it. */
export async function scrape(apiUrl: string): Promise<{ status: number; contentType: string | null; samples: Sample[]; text: string }> {
  const res = await fetch(`${rootOf(apiUrl)}/metrics`);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), samples: res.ok ? parseMetrics(text) : [], text };
}

/** api calls the API with a bearer token and returns the status and parsed JSON body. */
export async function api(url: string, token: string | null): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** FakeSecondary acknowledges every NOTIFY it receives over UDP (the request echoed with QR set). */
export class FakeSecondary {
  readonly notifies: Buffer[] = [];
  private constructor(private readonly sock: Socket, readonly port: number) {}

  static async start(): Promise<FakeSecondary> {
    const sock = createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
    const s = new FakeSecondary(sock, sock.address().port);
    sock.on('message', (msg, rinfo) => {
      s.notifies.push(msg);
      const ack = Buffer.from(msg);
      ack.writeUInt16BE(ack.readUInt16BE(2) | Flag.QR, 2);
      sock.send(ack, rinfo.port, rinfo.address);
    });
    return s;
  }

  close(): Promise<void> {
    return new Promise((res) => this.sock.close(() => res()));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** eventually retries `probe` until it stops throwing (bounded). */
export async function eventually<T>(probe: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(50);
    }
  }
}
