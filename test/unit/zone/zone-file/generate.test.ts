// $GENERATE (BIND 9 ARM "The $GENERATE Directive"): ranges, `$` / `$$` / `\$`, the
// `${offset,width,base}` modifiers including BIND's nibble mode, TTL/class, BIND's single quoted
// rhs, and errors.
import { describe, expect, it } from 'vitest';
import { MAX_GENERATE, parseRange, substitute } from '../../../../src/zone/zone-file/index.js';
import { lines, parseErr } from './helpers.js';

const HEAD = '$ORIGIN example.com.\n$TTL 60\n';

describe('parseRange', () => {
  it('reads start-stop[/step]', () => {
    expect(parseRange('1-10')).toEqual({ ok: true, value: { start: 1, stop: 10, step: 1 } });
    expect(parseRange('0-255/5')).toEqual({ ok: true, value: { start: 0, stop: 255, step: 5 } });
    expect(parseRange('7-7').ok).toBe(true);
  });
  it.each(['10-1', '1-', '-1-2', 'a-b', '1-2/0', '1-2/x', '0-99999999999', `0-${MAX_GENERATE}`])('refuses %j', (t) => expect(parseRange(t).ok).toBe(false));
});

describe('substitute', () => {
  const s = (t: string, v: number): string => {
    const r = substitute(t, v);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
  it('replaces $ and keeps $$ and \\$ as a literal dollar', () => {
    expect(s('host-$', 7)).toBe('host-7');
    expect(s('$-$', 3)).toBe('3-3');
    expect(s('a$$b', 1)).toBe('a\\$b');
    expect(s('a\\$b', 1)).toBe('a\\$b');
  });
  it('applies ${offset,width,base}', () => {
    expect(s('${0}', 5)).toBe('5');
    expect(s('${10}', 5)).toBe('15');
    expect(s('${-1}', 5)).toBe('4');
    expect(s('${0,3}', 5)).toBe('005');
    expect(s('${0,3,d}', 5)).toBe('005');
    expect(s('${0,4,o}', 8)).toBe('0010');
    expect(s('${0,2,x}', 255)).toBe('ff');
    expect(s('${0,4,X}', 255)).toBe('00FF');
  });
  it('writes nibbles like BIND (n lower case, N upper case, width counting the dots)', () => {
    expect(s('${0,0,n}', 0xab)).toBe('b.a');
    expect(s('${0,4,n}', 0xab)).toBe('b.a.');
    expect(s('${0,8,N}', 0xab)).toBe('B.A.0.0.');
    expect(s('${0,3,n}', 0x100)).toBe('0.0.1');
  });
  it.each(['${', '${x}', '${1,2,q}', '${1,', '${-10}'])('refuses %j', (t) => expect(substitute(t, 5).ok).toBe(false));
});

describe('$GENERATE in a zone', () => {
  it('makes one record per value, owner and RDATA substituted', () => {
    expect(lines(HEAD + '$GENERATE 1-3 host-$ A 192.0.2.$\n')).toEqual([
      'host-1.example.com. 60 IN A 192.0.2.1',
      'host-2.example.com. 60 IN A 192.0.2.2',
      'host-3.example.com. 60 IN A 192.0.2.3',
    ]);
  });

  it('steps, and uses modifiers in owner and RDATA (a classless reverse zone)', () => {
    expect(lines('$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 60\n$GENERATE 0-8/4 ${0,3} PTR host-${1,2,x}.example.\n')).toEqual([
      '000.2.0.192.in-addr.arpa. 60 IN PTR host-01.example.',
      '004.2.0.192.in-addr.arpa. 60 IN PTR host-05.example.',
      '008.2.0.192.in-addr.arpa. 60 IN PTR host-09.example.',
    ]);
  });

  it('takes an optional TTL and class in either order', () => {
    expect(lines(HEAD + '$GENERATE 1-2 a$ 300 IN A 192.0.2.$\n$GENERATE 1-1 b$ IN 30 A 192.0.2.9\n')).toEqual([
      'a1.example.com. 300 IN A 192.0.2.1',
      'a2.example.com. 300 IN A 192.0.2.2',
      'b1.example.com. 30 IN A 192.0.2.9',
    ]);
  });

  it('reads a quoted rhs with blanks as BIND does (lexed again after substitution)', () => {
    expect(lines(HEAD + '$GENERATE 1-2 m$ MX "10 mail$"\n$GENERATE 1-1 t$ TXT "\\"a b$\\" c"\n')).toEqual([
      'm1.example.com. 60 IN MX 10 mail1.example.com.',
      'm2.example.com. 60 IN MX 10 mail2.example.com.',
      't1.example.com. 60 IN TXT "a b1" "c"',
    ]);
  });

  it('takes several bare rhs tokens as they are (an extension)', () => {
    expect(lines(HEAD + '$GENERATE 1-1 s$ SRV 0 5 50$ t$\n')).toEqual(['s1.example.com. 60 IN SRV 0 5 501 t1.example.com.']);
  });

  it('leaves a literal dollar in names', () => {
    expect(lines(HEAD + '$GENERATE 1-1 x$$ CNAME y\\$$\n')).toEqual(['x\\$.example.com. 60 IN CNAME y\\$1.example.com.']);
  });

  it('reports errors at the $GENERATE line', () => {
    expect(parseErr(HEAD + '$GENERATE 5-1 a$ A 192.0.2.$\n')).toMatchObject({ line: 3, column: 11, message: expect.stringMatching(/bad \$GENERATE range/) });
    expect(parseErr(HEAD + '$GENERATE 1-2 a$ A\n')).toMatchObject({ line: 3, message: expect.stringMatching(/needs 4/) });
    expect(parseErr(HEAD + '$GENERATE 250-260 a$ A 192.0.2.$\n')).toMatchObject({ line: 3, column: 24, message: 'bad IPv4 address "192.0.2.256"' });
    expect(parseErr(HEAD + '$GENERATE 1-2 a${x} A 192.0.2.1\n')).toMatchObject({ line: 3, column: 15, message: expect.stringMatching(/bad \$GENERATE modifier/) });
    expect(parseErr(HEAD + '$GENERATE 1-2 a$ BOGUS 1\n')).toMatchObject({ line: 3, column: 18, message: 'unknown type "BOGUS"' });
  });
});
