// Finding a query name in one zone version: label boundaries without splitting the name, the
// top-down walk of RFC 1034 §4.3.2 step 3 that stops at the first zone cut or DNAME (RFC 6672
// §3.1), and the closest encloser of RFC 4592 §3.3.1; owner names and RDATA names without throwing.
// `walk` allocates nothing but the nodes it looks up (and, for a name with escapes, the suffix keys);
// its result object is reused per call.

import { type DomainName, RRType, labelToText, writeNameWire } from '../wire/index.js';
import type { RRset, ZoneNode, ZoneVersion } from '../zone/index.js';

/** MAX_LABELS: a 255-octet name (RFC 1035 §2.3.4) has at most 127 labels besides the root. */
const MAX_LABELS = 127;

/** starts[i] is where label i of the last scanned key begins (scratch, reused by every walk). */
const starts = new Int32Array(MAX_LABELS + 1);

/**
 * scanLabels fills `starts` with the label offsets of a presentation name, left to right, and
 * returns the label count (root excluded), or -1 past MAX_LABELS. `\X` escapes are skipped, so an
 * escaped dot is not a boundary; the digits of `\DDD` are never dots.
 */
function scanLabels(key: string): number {
  if (key.length <= 1) return 0;
  let n = 0;
  let start = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x5c) {
      i++;
    } else if (c === 0x2e) {
      if (n === MAX_LABELS) return -1;
      starts[n++] = start;
      start = i + 1;
    }
  }
  return n;
}

/** WALK_WIRE holds the walked key in wire form (a plain key: one octet longer than its text). */
const WALK_WIRE = new Uint8Array(1024);

/** countLabels is scanLabels without storing offsets (for the zone origin). */
function countLabels(key: string): number {
  if (key.length <= 1) return 0;
  let n = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x2e) n++;
  }
  return n;
}

/**
 * WalkKind: `out` the name is not at or below the origin; `invalid` the name has too many labels
 * or the zone has no apex node; `exact` the node exists; `cut` a delegation at or above the name;
 * `dname` a DNAME at a proper ancestor; `missing` the name does not exist (node = closest encloser).
 */
export type WalkKind = 'out' | 'invalid' | 'exact' | 'cut' | 'dname' | 'missing';

/** Walk is the outcome of `walk`; `pos` is where `node`'s name begins inside the walked key. */
export interface Walk {
  kind: WalkKind;
  node: ZoneNode | undefined;
  /** the NS RRset for `cut`, the DNAME RRset for `dname`, otherwise undefined. */
  set: RRset | undefined;
  pos: number;
}

const result: Walk = { kind: 'out', node: undefined, set: undefined, pos: 0 };

function done(kind: WalkKind, node: ZoneNode | undefined, set: RRset | undefined, pos: number): Walk {
  result.kind = kind;
  result.node = node;
  result.set = set;
  result.pos = pos;
  return result;
}

/**
 * walk looks up the lower-cased `key` in `zone`, descending from the apex one label at a time
 * (RFC 1034 §4.3.2 step 3). The first node below the apex that owns NS is a zone cut, except at
 * the name itself when `qtype` is DS (RFC 4035 §3.1.4.1: the parent side answers DS). The first
 * DNAME at a proper ancestor, the apex included, redirects (RFC 6672 §2.3). The returned object is
 * shared: read it before the next call.
 */
export function walk(zone: ZoneVersion, key: string, qtype: number): Walk {
  const n = scanLabels(key);
  if (n < 0) return done('invalid', undefined, undefined, 0);
  const originKey = zone.originKey;
  const originLabels = countLabels(originKey);
  if (n < originLabels) return done('out', undefined, undefined, 0);
  const below = n - originLabels;
  const originPos = key.length - originKey.length;
  if (originKey !== '.' && (starts[below] !== originPos || !key.endsWith(originKey))) {
    return done('out', undefined, undefined, 0);
  }
  const apex = zone.apex();
  if (apex === undefined) return done('invalid', undefined, undefined, 0);
  if (below === 0) return done('exact', apex, undefined, 0);
  // The apex NS RRset is not a cut (RFC 1034 §4.2.1); an apex DNAME does apply below it.
  const apexDname = apex.rrset(RRType.DNAME);
  if (apexDname !== undefined) return done('dname', apex, apexDname, originPos);

  let encloser = apex;
  let encloserPos = originPos;
  // A plain key's wire form puts each label's length where the text has the dot before it, so
  // the name from text offset `pos` on is the wire name at `pos`: one encoding, no string per label.
  const plain = key.length < WALK_WIRE.length && !key.includes('\\');
  if (plain) writeNameWire(WALK_WIRE, 0, key as DomainName);
  for (let i = below - 1; i >= 0; i--) {
    const pos = starts[i]!;
    const node = plain ? zone.nodeAt(WALK_WIRE, pos) : zone.node(pos === 0 ? key : key.slice(pos));
    if (node === undefined) return done('missing', encloser, undefined, encloserPos);
    // RFC 1034 §4.3.2 step 3b: a cut above or at the name is a referral, data below it is glue.
    if (node.hasType(RRType.NS) && (i > 0 || qtype !== RRType.DS)) return done('cut', node, node.rrset(RRType.NS), pos);
    // RFC 6672 §2.3: a DNAME redirects names below its owner, never the owner itself.
    if (i > 0 && node.hasType(RRType.DNAME)) return done('dname', node, node.rrset(RRType.DNAME), pos);
    encloser = node;
    encloserPos = pos;
  }
  return done('exact', encloser, undefined, 0);
}

/**
 * ownerName returns the node's stored owner name (RFC 4343 §4.1: the zone's case is kept), reusing
 * `spelled` — the same name as queried — when it is spelled identically, so the common all-lower-
 * case query costs a byte comparison instead of decoding a string. Falls back to `node.name`.
 */
export function ownerName(node: ZoneNode, spelled: DomainName): DomainName {
  const slab = node.slab;
  let p = node.off;
  let i = 0;
  const len = spelled.length;
  if (len === 1) return slab[p] === 0 ? spelled : node.name;
  for (;;) {
    const l = slab[p]!;
    if (l === 0) return i === len ? spelled : node.name;
    for (let j = 1; j <= l; j++) {
      // An escape (or a special octet) in either spelling takes the slow path.
      const c = spelled.charCodeAt(i++);
      if (c !== slab[p + j] || c === 0x5c) return node.name;
    }
    if (spelled.charCodeAt(i++) !== 0x2e) return node.name;
    p += l + 1;
  }
}

/**
 * rdataName reads the uncompressed name at `offset` of `rdata` (zone RDATA is stored expanded,
 * RFC 3597 §4). Returns undefined rather than throwing on malformed octets, so a damaged record
 * ends a chain instead of failing the query.
 */
export function rdataName(rdata: Uint8Array, offset: number): DomainName | undefined {
  let pos = offset;
  let name = '';
  let wire = 1;
  for (;;) {
    if (pos >= rdata.length) return undefined;
    const len = rdata[pos]!;
    if (len === 0) break;
    if (len > 63 || pos + 1 + len > rdata.length) return undefined;
    wire += len + 1;
    if (wire > 255) return undefined;
    name += labelToText(rdata, pos + 1, pos + 1 + len) + '.';
    pos += len + 1;
  }
  return (name === '' ? '.' : name) as DomainName;
}

/**
 * wirePrefixLength is the wire length of the labels in name[0, end): one octet per label and
 * per represented octet, so presentation characters minus the escape overhead (`\X` 1, `\DDD` 3).
 */
export function wirePrefixLength(name: string, end: number): number {
  let len = end;
  for (let i = 0; i < end; i++) {
    if (name.charCodeAt(i) === 0x5c) {
      const d = name.charCodeAt(i + 1);
      const skip = d >= 0x30 && d <= 0x39 ? 3 : 1;
      len -= skip;
      i += skip;
    }
  }
  return len;
}
