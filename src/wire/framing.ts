// TCP message framing (RFC 1035 §4.2.2, RFC 7766 §8): each message is preceded by a two-octet
// length. TcpFramer and InPlaceFramer reassemble messages from arbitrary chunk boundaries,
// including a length prefix split across chunks. Pure: the socket code feeds them chunks.

/** TcpFramer turns a byte stream into whole messages. */
export class TcpFramer {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  /** need: octets required before the pending chunks can yield a message (0 = unknown yet). */
  private need = 0;

  /** buffered is the number of octets held that do not yet form a whole message. */
  get buffered(): number {
    return this.pendingLen;
  }

  /**
   * push adds a chunk and returns every message it completes (possibly none). A zero-length
   * frame yields an empty message, which the caller treats as malformed. Chunks of a large
   * message are only collected until the message is complete, then joined once (no quadratic
   * re-copying when a 64 KiB message arrives in many small reads).
   */
  push(chunk: Buffer): Buffer[] {
    let data: Buffer;
    if (this.pendingLen === 0) {
      data = chunk;
    } else {
      this.pending.push(chunk);
      this.pendingLen += chunk.length;
      if (this.need > 0 && this.pendingLen < this.need) return [];
      data = Buffer.concat(this.pending, this.pendingLen);
      this.pending = [];
      this.pendingLen = 0;
    }
    const out: Buffer[] = [];
    let pos = 0;
    while (data.length - pos >= 2) {
      const len = (data[pos]! << 8) | data[pos + 1]!;
      if (data.length - pos - 2 < len) break;
      out.push(data.subarray(pos + 2, pos + 2 + len));
      pos += 2 + len;
    }
    this.need = 0;
    if (pos < data.length) {
      const rest = data.subarray(pos);
      this.pending.push(rest);
      this.pendingLen = rest.length;
      if (rest.length >= 2) this.need = 2 + ((rest[0]! << 8) | rest[1]!);
    }
    return out;
  }
}

/** frame prefixes a message with its two-octet length. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(message.length + 2);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}

/** MAX_FRAME is the largest framed message: a two-octet length and up to 65535 octets. */
const MAX_FRAME = 2 + 0xffff;

/**
 * InPlaceFramer reassembles messages like TcpFramer, for a reader that reuses one buffer for
 * every read (net.Socket's `onread`): it hands out views of the chunk itself, valid only during
 * the callback, and copies only a message that straddles two reads into its own buffer. So a
 * transfer of tens of megabytes allocates nothing per read or per message: with a fresh buffer per
 * read, the dead buffers live outside the JavaScript heap, where the collector, seeing little heap
 * allocation, lets tens of megabytes of them pile up before it frees them. Feed it plain
 * Uint8Arrays, not Buffers: what a message handler keeps it copies with slice(), and a Buffer's
 * slice() is a view of the buffer the next read overwrites.
 */
export class InPlaceFramer {
  /**
   * partial holds a message that straddles reads, made when the first one does: an IXFR answer
   * read at once never needs it, and every 64 KB made is memory the collector has to see go.
   */
  private partial: Uint8Array | undefined;
  private have = 0;

  /** buffered is the number of octets held that do not yet form a whole message. */
  get buffered(): number {
    return this.have;
  }

  /**
   * push feeds `chunk` and calls `onMessage` with each message it completes, in order; a callback
   * returning false stops the feeding (the rest of the chunk is dropped) and push returns false.
   */
  push(chunk: Uint8Array, onMessage: (msg: Uint8Array) => boolean): boolean {
    if (chunk.length === 0) return true;
    let pos = 0;
    if (this.have > 0) {
      const p = this.partial!;
      if (this.have === 1) p[this.have++] = chunk[pos++]!;
      const need = 2 + ((p[0]! << 8) | p[1]!);
      const take = Math.min(need - this.have, chunk.length - pos);
      p.set(chunk.subarray(pos, pos + take), this.have);
      this.have += take;
      pos += take;
      if (this.have < need) return true;
      this.have = 0;
      if (!onMessage(p.subarray(2, need))) return false;
    }
    while (chunk.length - pos >= 2) {
      const len = (chunk[pos]! << 8) | chunk[pos + 1]!;
      if (chunk.length - pos - 2 < len) break;
      if (!onMessage(chunk.subarray(pos + 2, pos + 2 + len))) return false;
      pos += 2 + len;
    }
    if (pos < chunk.length) {
      this.partial ??= new Uint8Array(MAX_FRAME);
      this.partial.set(chunk.subarray(pos), 0);
      this.have = chunk.length - pos;
    }
    return true;
  }
}
