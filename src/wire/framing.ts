// TCP message framing (RFC 1035 §4.2.2, RFC 7766 §8): each message is preceded by a two-octet
// length. TcpFramer reassembles messages from arbitrary chunk boundaries, including a length
// prefix split across chunks. Pure: the socket code feeds it chunks.

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
