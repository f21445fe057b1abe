// parseZoneFile: RFC 1035 §5 master files: directives, owner and TTL/class defaulting, lexical
// rules (parentheses, comments, quotes, escapes), RFC 3597 TYPE/CLASS forms, and errors that
// name the file, line and column.
import { describe, expect, it } from 'vitest';
import { RRClass, RRType, nameFromTrusted } from '../../../../src/wire/index.js';
import { parseZoneFile } from '../../../../src/zone/zone-file/index.js';
import { exact, lines, parseErr, parseOk } from './helpers.js';

const SOA = '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n';

describe('$ORIGIN and relative names', () => {
  it('completes relative owners and RDATA names with the origin; `@` is the origin', () => {
    expect(lines('$ORIGIN example.com.\n$TTL 60\n' + SOA + 'www A 192.0.2.1\n@ MX 10 mail\nabs.example.net. CNAME www\n')).toEqual([
      'example.com. 60 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300',
      'www.example.com. 60 IN A 192.0.2.1',
      'example.com. 60 IN MX 10 mail.example.com.',
      'abs.example.net. 60 IN CNAME www.example.com.',
    ]);
  });

  it('takes a relative $ORIGIN relative to the current one and keeps name case', () => {
    expect(lines('$ORIGIN Example.COM.\n$TTL 60\n$ORIGIN Sub\nWWW A 192.0.2.1\n')).toEqual(['WWW.Sub.Example.COM. 60 IN A 192.0.2.1']);
  });

  it('reports the origin: the option, else the first $ORIGIN, else the first SOA owner', () => {
    expect(parseOk('$TTL 1\nexample.org. SOA a. b. 1 2 3 4 5\n').origin).toBe('example.org.');
    expect(parseOk('$ORIGIN a.example.\n$ORIGIN b.example.\n$TTL 1\nx A 1.2.3.4\n').origin).toBe('a.example.');
    expect(parseOk('$TTL 1\nx A 1.2.3.4\n', { origin: nameFromTrusted('opt.example.') }).origin).toBe('opt.example.');
    expect(parseErr('$TTL 1\nx. A 1.2.3.4\n').message).toMatch(/no origin/);
  });

  it('uses the origin option for the first records', () => {
    expect(lines('$TTL 1\n@ A 192.0.2.1\nw A 192.0.2.2\n', { origin: nameFromTrusted('z.example.') })).toEqual([
      'z.example. 1 IN A 192.0.2.1',
      'w.z.example. 1 IN A 192.0.2.2',
    ]);
  });

  it('keeps escapes in owner names octet for octet', () => {
    expect(lines('$ORIGIN example.\n$TTL 1\na\\.b\\032c A 192.0.2.1\n\\@ A 192.0.2.2\n\\$x A 192.0.2.3\n')).toEqual([
      'a\\.b\\ c.example. 1 IN A 192.0.2.1',
      '\\@.example. 1 IN A 192.0.2.2',
      '\\$x.example. 1 IN A 192.0.2.3',
    ]);
  });
});

describe('blank owners, TTL and class', () => {
  it('gives a line that starts with a blank the previous owner (RFC 1035 §5.1)', () => {
    expect(lines('$ORIGIN example.com.\n$TTL 60\nwww A 192.0.2.1\n A 192.0.2.2\n\tTXT "x"\nmail A 192.0.2.3\n    AAAA ::1\n')).toEqual([
      'www.example.com. 60 IN A 192.0.2.1',
      'www.example.com. 60 IN A 192.0.2.2',
      'www.example.com. 60 IN TXT "x"',
      'mail.example.com. 60 IN A 192.0.2.3',
      'mail.example.com. 60 IN AAAA ::1',
    ]);
  });

  it('accepts TTL and class in either order, each optional', () => {
    expect(lines('$ORIGIN e.\n$TTL 9\na 1 IN A 192.0.2.1\nb IN 2 A 192.0.2.2\nc 3 A 192.0.2.3\nd IN A 192.0.2.4\ne A 192.0.2.5\n').map((l) => l.split(' ')[1])).toEqual(['1', '2', '3', '9', '9']);
  });

  it('reads TTL units in records and in $TTL', () => {
    expect(lines('$ORIGIN e.\n$TTL 1h30m\na A 192.0.2.1\nb 2D A 192.0.2.2\nc 1w IN A 192.0.2.3\nd IN 45s A 192.0.2.4\n').map((l) => l.split(' ')[1])).toEqual([
      '5400', '172800', '604800', '45',
    ]);
  });

  it('defaults the TTL to $TTL, else the last explicit TTL, else the SOA minimum (RFC 2308 §4, BIND)', () => {
    expect(lines('$ORIGIN e.\na 10 A 192.0.2.1\nb A 192.0.2.2\n$TTL 20\nc A 192.0.2.3\nd 30 A 192.0.2.4\ne A 192.0.2.5\n').map((l) => l.split(' ')[1])).toEqual([
      '10', '10', '20', '30', '20',
    ]);
    expect(lines('$ORIGIN e.\n@ SOA a b 1 2 3 4 77\nx A 192.0.2.1\n').map((l) => l.split(' ')[1])).toEqual(['77', '77']);
    expect(parseErr('$ORIGIN e.\nx A 192.0.2.1\n').message).toMatch(/no TTL/);
  });

  it('uses the defaultTtl option as an initial $TTL', () => {
    expect(lines('$ORIGIN e.\nx A 192.0.2.1\n', { defaultTtl: 42 })).toEqual(['x.e. 42 IN A 192.0.2.1']);
  });

  it('carries the class forward and reads CLASSnnn (RFC 3597 §5)', () => {
    const z = parseOk('$ORIGIN e.\n$TTL 1\na CH TXT "x"\nb TXT "y"\nc CLASS4 TXT "z"\nd CLASS1 A 192.0.2.1\n');
    expect(z.records.map((r) => r.class)).toEqual([RRClass.CH, RRClass.CH, RRClass.HS, RRClass.IN]);
  });

  it('refuses the query classes NONE and ANY', () => {
    expect(parseErr('$ORIGIN e.\n$TTL 1\na ANY A 192.0.2.1\n')).toMatchObject({ line: 3, column: 3 });
    expect(parseErr('$ORIGIN e.\n$TTL 1\na NONE A 192.0.2.1\n').message).toMatch(/cannot be zone data/);
  });
});

describe('RFC 3597 generic types', () => {
  it('reads TYPEnnn with `\\# len hex`, known or not, and a known type in generic form', () => {
    const z = parseOk('$ORIGIN e.\n$TTL 1\na TYPE65534 \\# 3 010203\nb TYPE1 \\# 4 C0000201\nc A \\# 4 C0000202\nd type65280 \\# 0\ne NULL \\# 2 ABCD\n');
    expect(exact(z.records)).toEqual([
      'a.e.|65534|1|1|010203',
      'b.e.|1|1|1|c0000201',
      'c.e.|1|1|1|c0000202',
      'd.e.|65280|1|1|',
      'e.e.|10|1|1|abcd',
    ]);
  });

  it('refuses meta types as data (RFC 6895 §3.1)', () => {
    expect(parseErr('$ORIGIN e.\n$TTL 1\na OPT \\# 0\n')).toMatchObject({ line: 3, column: 3, message: expect.stringMatching(/cannot be zone data/) });
    expect(parseErr('$ORIGIN e.\n$TTL 1\na TYPE251 \\# 0\n').message).toMatch(/cannot be zone data/);
  });
});

describe('lexical rules', () => {
  it('joins lines inside parentheses and drops comments, also inside them', () => {
    const text = [
      '$ORIGIN example.com. ; the origin',
      '$TTL 3600 ; an hour',
      '@ IN SOA ns1 hostmaster ( ; comment after the paren',
      '        2024010101 ; serial',
      '        7200       ; refresh',
      '        ( 900 )    ; nested parentheses',
      '        1209600 300 )',
      '; a whole-line comment',
      '',
      '   ',
      'www A 192.0.2.1;no blank before the comment',
    ].join('\n');
    expect(lines(text)).toEqual([
      'example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 300',
      'www.example.com. 3600 IN A 192.0.2.1',
    ]);
  });

  it('keeps blanks, semicolons and parentheses inside quotes and decodes escapes per field', () => {
    expect(lines('$ORIGIN e.\n$TTL 1\nt TXT "a ; b ( c )" "q\\"uote" "back\\\\slash" "\\065\\066C" plain\\ word "\\;"\n')).toEqual([
      't.e. 1 IN TXT "a ; b ( c )" "q\\"uote" "back\\\\slash" "ABC" "plain word" ";"',
    ]);
  });

  it('reads CRLF line ends, tabs and a UTF-8 byte order mark', () => {
    expect(lines('\ufeff$ORIGIN e.\r\n$TTL 1\r\na\tA\t192.0.2.1\r\n\tTXT "x"\r\n')).toEqual(['a.e. 1 IN A 192.0.2.1', 'a.e. 1 IN TXT "x"']);
  });

  it('reads a file without a final newline and one that is empty', () => {
    expect(lines('$ORIGIN e.\n$TTL 1\na A 192.0.2.1')).toEqual(['a.e. 1 IN A 192.0.2.1']);
    expect(parseOk('', { origin: nameFromTrusted('e.') }).records).toEqual([]);
    expect(parseOk('; only a comment', { origin: nameFromTrusted('e.') }).records).toEqual([]);
  });

  it('reads long multi-line TXT records (a DKIM key split into strings)', () => {
    const key = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'.repeat(9);
    const text = `$ORIGIN e.\n$TTL 1\nsel._domainkey TXT ( "v=DKIM1; k=rsa; "\n  "p=${key.slice(0, 200)}"\n  "${key.slice(200)}" )\n`;
    const z = parseOk(text);
    expect(z.records).toHaveLength(1);
    const rd = z.records[0]!.rdata;
    expect(rd[0]).toBe(16);
    expect(rd.length).toBe(3 + 16 + 202 + key.length - 200);
  });

  it('parses a directive name in any case', () => {
    expect(lines('$origin e.\n$ttl 5\na A 192.0.2.1\n')).toEqual(['a.e. 5 IN A 192.0.2.1']);
  });
});

describe('errors name the file, line and column', () => {
  const cases: readonly (readonly [string, string, number, number, RegExp])[] = [
    ['bad RDATA', '$ORIGIN e.\n$TTL 1\nok A 192.0.2.1\nbad A 192.0.2\n', 4, 7, /bad IPv4 address/],
    ['unknown type', '$ORIGIN e.\n$TTL 1\nx 1 IN BOGUS 1\n', 3, 8, /unknown type "BOGUS"/],
    ['missing type', '$ORIGIN e.\n$TTL 1\nx 1 IN\n', 3, 7, /missing type/],
    ['missing RDATA field', '$ORIGIN e.\n$TTL 1\nx MX 10\n', 3, 8, /missing domain name/],
    ['trailing token', '$ORIGIN e.\n$TTL 1\nx A 192.0.2.1 extra\n', 3, 15, /unexpected "extra"/],
    ['unterminated quote', '$ORIGIN e.\n$TTL 1\nx TXT "abc\n', 3, 7, /unterminated quoted string/],
    ['unbalanced (', '$ORIGIN e.\n$TTL 1\nx TXT ( "a"\n\n', 3, 7, /unbalanced "\("/],
    ['unbalanced )', '$ORIGIN e.\n$TTL 1\nx TXT "a" )\n', 3, 11, /unbalanced "\)"/],
    ['bad TTL', '$ORIGIN e.\n$TTL 1\nx 1x A 192.0.2.1\n', 3, 3, /bad TTL "1x"/],
    ['bad $TTL', '$ORIGIN e.\n$TTL forever\n', 2, 6, /bad \$TTL/],
    ['$TTL without value', '$ORIGIN e.\n$TTL\n', 2, 5, /\$TTL needs 1 argument/],
    ['$ORIGIN with two values', '$ORIGIN e. f.\n', 1, 12, /unexpected "f\." after \$ORIGIN/],
    ['unknown directive', '$ORIGIN e.\n$FOO bar\n', 2, 1, /unknown directive "\$FOO"/],
    ['relative owner without origin', '$TTL 1\nx A 192.0.2.1\n', 2, 1, /relative name "x" with no origin/],
    ['blank owner first', '$ORIGIN e.\n$TTL 1\n  A 192.0.2.1\n', 3, 3, /no previous owner/],
    ['bad owner', '$ORIGIN e.\n$TTL 1\na..b A 192.0.2.1\n', 3, 1, /bad owner name/],
    ['quoted owner', '$ORIGIN e.\n$TTL 1\n"a" A 192.0.2.1\n', 3, 1, /must not be quoted/],
    ['error on a continuation line', '$ORIGIN e.\n$TTL 1\n@ SOA ns hm (\n 1 2 3\n 4 x )\n', 5, 4, /bad TTL "x"/],
    ['bad generic length', '$ORIGIN e.\n$TTL 1\nx TYPE65534 \\# 4 0102\n', 3, 18, /length 4 does not match 2/],
    ['name too long', `$ORIGIN e.\n$TTL 1\n${'abcdefghij.'.repeat(24)} A 192.0.2.1\n`, 3, 1, /longer than 255/],
  ];
  it.each(cases.map(([name, text, line, column, re]) => ({ name, text, line, column, re })))('$name', ({ text, line, column, re }) => {
    const e = parseErr(text, { fileName: 'zones/e.zone' });
    expect(e.file).toBe('zones/e.zone');
    expect({ line: e.line, column: e.column }).toEqual({ line, column });
    expect(e.message).toMatch(re);
  });

  it('calls the file "<zone>" when no name is given and stops at the first error', () => {
    const r = parseZoneFile('$ORIGIN e.\n$TTL 1\na A 1\nb A 2\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ file: '<zone>', line: 3 });
  });

  it('never throws on arbitrary text', () => {
    let seed = 99;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const alphabet = 'ab1.;"()\\ \t\n$@AINSOXTMTXT*0123456789-:';
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: Math.floor(rnd() * 60) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      expect(() => parseZoneFile(text, { origin: nameFromTrusted('e.'), defaultTtl: 1 }), JSON.stringify(text)).not.toThrow();
    }
  });
});

describe('record order and duplicates', () => {
  it('returns records in file order and keeps duplicates (zone validation decides)', () => {
    const z = parseOk('$ORIGIN e.\n$TTL 1\nb A 192.0.2.1\na A 192.0.2.1\nb A 192.0.2.1\n');
    expect(z.records.map((r) => r.name)).toEqual(['b.e.', 'a.e.', 'b.e.']);
    expect(z.records.every((r) => r.type === RRType.A)).toBe(true);
  });
});
