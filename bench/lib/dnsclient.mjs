// A minimal DNS client for the transfer scenarios: SOA queries and NOTIFY over UDP on loopback,
// from one socket with many queries in flight, so a scenario can poll every 20 ms (or 10 000 zones)
// without spawning dig. Only what the benchmark needs: no EDNS, no TCP, no TSIG.
import { createSocket } from 'node:dgram';

const TYPE_SOA = 6;
const CLASS_IN = 1;
const OPCODE_NOTIFY = 4;
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

/** encodeName('a.example.') → wire labels (absolute; the trailing dot is optional). */
export function encodeName(name) {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63) throw new RangeError(`label too long in ${name}`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** buildMessage: header + one question (qtype, IN). `opcode` 0 = QUERY, 4 = NOTIFY (AA set). */
export function buildMessage(id, name, qtype, opcode = 0) {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(((opcode & 0xf) << 11) | (opcode === OPCODE_NOTIFY ? 0x0400 : 0), 2);
  h.writeUInt16BE(1, 4);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(qtype, 0);
  q.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([h, encodeName(name), q]);
}

/** skipName returns the offset after a (possibly compressed) name at `off`. */
function skipName(buf, off) {
  for (let guard = 0; guard < 128; guard++) {
    if (off >= buf.length) throw new RangeError('truncated name');
    const len = buf[off];
    if ((len & 0xc0) === 0xc0) return off + 2;
    if (len === 0) return off + 1;
    off += len + 1;
  }
  throw new RangeError('name too long');
}

/**
 * parseResponse returns {id, rcode, opcode, aa, serial} (serial of the first SOA in the answer
 * section, or null).
 */
export function parseResponse(buf) {
  if (buf.length < 12) throw new RangeError('short message');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let off = 12;
  for (let i = 0; i < qd; i++) off = skipName(buf, off) + 4;
  let serial = null;
  for (let i = 0; i < an && serial === null; i++) {
    off = skipName(buf, off);
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    const rdata = off + 10;
    if (type === TYPE_SOA) {
      const afterRname = skipName(buf, skipName(buf, rdata));
      serial = buf.readUInt32BE(afterRname);
    }
    off = rdata + rdlen;
  }
  return { id, rcode: RCODES[flags & 0xf] ?? `RCODE${flags & 0xf}`, opcode: (flags >> 11) & 0xf, aa: (flags & 0x0400) !== 0, serial };
}

/**
 * DnsClient: one UDP socket, queries matched by ID (and port), each with its own timeout.
 * `inflight` bounds how many are outstanding; extra ones wait their turn.
 */
export class DnsClient {
  constructor({ inflight = 256 } = {}) {
    this.sock = createSocket('udp4');
    this.sock.unref();
    this.pending = new Map();
    this.nextId = 1 + Math.floor(Math.random() * 60000);
    this.inflight = inflight;
    this.waiting = [];
    this.active = 0;
    this.sock.on('message', (msg, rinfo) => {
      let r;
      try {
        r = parseResponse(msg);
      } catch {
        return;
      }
      const p = this.pending.get(`${r.id}|${rinfo.port}`);
      if (!p) return;
      this.pending.delete(`${r.id}|${rinfo.port}`);
      clearTimeout(p.timer);
      p.resolve({ ...r, ms: Number(process.hrtime.bigint() - p.t0) / 1e6 });
    });
    this.ready = new Promise((res) => this.sock.bind(0, '127.0.0.1', res));
  }

  async #slot() {
    if (this.active < this.inflight) {
      this.active++;
      return;
    }
    await new Promise((res) => this.waiting.push(res));
  }

  #release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** exchange sends one message; resolves with parseResponse(...) + {ms}, or null on timeout. */
  async exchange(port, name, qtype, opcode = 0, timeoutMs = 1000) {
    await this.ready;
    await this.#slot();
    try {
      let id;
      for (let i = 0; i < 65536; i++) {
        id = this.nextId;
        this.nextId = (this.nextId % 65535) + 1;
        if (!this.pending.has(`${id}|${port}`)) break;
      }
      const key = `${id}|${port}`;
      return await new Promise((resolve) => {
        const p = { resolve, t0: process.hrtime.bigint(), timer: null };
        p.timer = setTimeout(() => {
          this.pending.delete(key);
          resolve(null);
        }, timeoutMs);
        this.pending.set(key, p);
        this.sock.send(buildMessage(id, name, qtype, opcode), port, '127.0.0.1', (err) => {
          if (err) {
            clearTimeout(p.timer);
            this.pending.delete(key);
            resolve(null);
          }
        });
      });
    } finally {
      this.#release();
    }
  }

  /** soa asks `zone` SOA: {serial|null, rcode, ms} or null on timeout. */
  soa(port, zone, timeoutMs = 1000) {
    return this.exchange(port, zone, TYPE_SOA, 0, timeoutMs);
  }

  /** notify sends NOTIFY (SOA) for `zone`; resolves with the response or null on timeout. */
  notify(port, zone, timeoutMs = 1000) {
    return this.exchange(port, zone, TYPE_SOA, OPCODE_NOTIFY, timeoutMs);
  }

  close() {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(null);
    }
    this.pending.clear();
    try {
      this.sock.close();
    } catch {
      // already closed
    }
  }
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/**
 * waitForSerial polls `zone` SOA on 127.0.0.1:`port` every `intervalMs` (a new query each tick,
 * without waiting for the previous one, each with a 500 ms timeout) until one answers NOERROR with
 * exactly `serial` (or, given `accept(serial)`, with a serial it accepts). Resolves {ok: true,
 * serial, ms, polls, unanswered, maxLatencyMs} with ms from `t0`
 * (hrtime bigint, default now) to the arrival of that answer, or {ok: false, reason, …} after
 * `timeoutMs` or when `alive()` returns false. `unanswered` counts queries that got no answer
 * within 500 ms (before the server listens, or while it stalls) and `maxLatencyMs` is the slowest
 * answer: a server whose event loop blocks shows it there.
 */
export async function waitForSerial(client, { port, zone, serial, accept = (s) => s === serial, t0 = process.hrtime.bigint(), intervalMs = 20, timeoutMs = 60_000, alive = () => true }) {
  const deadline = Number(t0 / 1_000_000n) + timeoutMs;
  let polls = 0;
  let unanswered = 0;
  let maxLatencyMs = 0;
  let last = null;
  let done = null;
  let outstanding = 0;
  const ask = () => {
    polls++;
    outstanding++;
    client.soa(port, zone, 500).then((r) => {
      outstanding--;
      if (done) return;
      if (!r) {
        unanswered++;
        return;
      }
      last = r;
      maxLatencyMs = Math.max(maxLatencyMs, r.ms);
      if (r.rcode === 'NOERROR' && r.serial !== null && accept(r.serial)) done = { ok: true, serial: r.serial, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    });
  };
  for (;;) {
    if (outstanding < 50) ask();
    await sleep(intervalMs);
    if (done) return { ...done, polls, unanswered, maxLatencyMs };
    if (!alive()) return { ok: false, reason: 'the process exited', polls, unanswered, maxLatencyMs, last };
    if (Number(process.hrtime.bigint() / 1_000_000n) > deadline) {
      const seen = last ? (last.serial !== null ? `serial ${last.serial}` : last.rcode) : 'no answer';
      return { ok: false, reason: `no ${serial === undefined ? 'accepted serial' : `serial ${serial}`} within ${Math.round(timeoutMs / 1000)} s (last: ${seen})`, polls, unanswered, maxLatencyMs, last };
    }
  }
}
