// FrameSplitter: RFC 1035 §4.2.2 / RFC 7766 §8 two-octet length framing for a reader that owns one
// large read buffer (net `onread`). A message that lies wholly inside a chunk is handed over as a
// view of that chunk, no copy; only a message split across reads is copied, into one reusable
// 64 KiB carry buffer. Views are valid only during the callback (the next read overwrites them).
// Deviation from src/wire TcpFramer, which concatenates every pending chunk: that copy costs a
// load generator more than the check itself. Pure: no sockets.

/** OnMessage receives one message; returning false stops the splitter (done or failed). */
export type OnMessage = (message: Uint8Array) => boolean;

/** FrameSplitter cuts a TCP byte stream into messages; one per connection. */
export class FrameSplitter {
  private readonly carry = Buffer.allocUnsafe(65535);
  /** header holds a length prefix split across reads (0, 1 or 2 octets of it). */
  private headerHave = 0;
  private headerFirst = 0;
  /** need is the length of the message in `carry` (−1: none pending); have is what arrived. */
  private need = -1;
  private have = 0;

  /** pending is the number of octets held back for a message not yet complete. */
  get pending(): number {
    return this.need >= 0 ? this.have + 2 : this.headerHave;
  }

  /**
   * feed splits `chunk[0, n)` and calls `onMessage` for each whole message, in order. Returns false
   * as soon as onMessage does (the rest of the chunk is dropped), else true. Zero-length frames are
   * passed on as empty messages for the caller to reject.
   */
  feed(chunk: Uint8Array, n: number, onMessage: OnMessage): boolean {
    let p = 0;
    // Finish a length prefix split across reads.
    if (this.headerHave === 1) {
      if (n === 0) return true;
      this.need = (this.headerFirst << 8) | chunk[0]!;
      this.have = 0;
      this.headerHave = 0;
      p = 1;
    }
    // Finish a message split across reads: the only copy.
    if (this.need >= 0) {
      const take = Math.min(this.need - this.have, n - p);
      this.carry.set(chunk.subarray(p, p + take), this.have);
      this.have += take;
      p += take;
      if (this.have < this.need) return true;
      const len = this.need;
      this.need = -1;
      if (!onMessage(this.carry.subarray(0, len))) return false;
    }
    // Whole messages inside the chunk: views, no copy.
    while (n - p >= 2) {
      const len = (chunk[p]! << 8) | chunk[p + 1]!;
      if (n - p - 2 < len) break;
      if (!onMessage(chunk.subarray(p + 2, p + 2 + len))) return false;
      p += 2 + len;
    }
    // Keep the tail: one octet of a length, or the start of a message.
    if (n - p === 1) {
      this.headerFirst = chunk[p]!;
      this.headerHave = 1;
    } else if (n - p >= 2) {
      this.need = (chunk[p]! << 8) | chunk[p + 1]!;
      this.have = n - p - 2;
      this.carry.set(chunk.subarray(p + 2, n), 0);
    }
    return true;
  }
}
