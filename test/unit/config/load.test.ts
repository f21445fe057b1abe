// Unit tests for src/config: precedence (flags > env > defaults), repeatable flags, IPv6 and bad
// ports, unknown flags, freezing, and that --help and the README table cover the whole schema.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTable, helpText, load, schema, SCHEMA_KEYS, wantsHelp } from '../../../src/config/index.js';
import type { Config, LoadResult } from '../../../src/config/index.js';

function ok(r: LoadResult): Config {
  if (!r.ok) throw new Error(`expected ok, got error: ${r.error}`);
  return r.value;
}

function err(r: LoadResult): string {
  if (r.ok) throw new Error('expected an error, got a Config');
  return r.error;
}

describe('load: defaults', () => {
  it('gives the documented defaults with no flags and no env', () => {
    expect(ok(load([], {}))).toEqual({
      dns: [{ host: '127.0.0.1', port: 5300 }],
      api: { host: '127.0.0.1', port: 8080 },
      databaseUrl: undefined,
      dataDir: './data',
      token: undefined,
      zoneFiles: [],
      allowTransfer: [],
      secretKey: undefined,
      xfrMaxRecords: 20_000_000,
      xfrMaxBytes: 2_147_483_648,
      xfrIdleTimeoutMs: 20_000,
      xfrTimeoutMs: 900_000,
      journalSize: 100,
      logLevel: 'info',
      tcpIdleTimeoutMs: 10000,
      tcpMaxConnections: 1000,
      tcpMaxConnectionsPerClient: 64,
      udpMaxPayload: 1232,
    });
  });

  it('returns a deeply frozen Config', () => {
    const c = ok(load(['--zone-file', 'a.zone'], {}));
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.dns)).toBe(true);
    expect(Object.isFrozen(c.dns[0])).toBe(true);
    expect(Object.isFrozen(c.api)).toBe(true);
    expect(Object.isFrozen(c.zoneFiles[0])).toBe(true);
  });

  it('ignores unrelated and empty environment variables', () => {
    const c = ok(load([], { PATH: '/bin', ZONEXFER_REQUIRE_PEERS: '1', DATABASE_URL: '', ZONEXFER_DNS: ' , ' }));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dns).toEqual([{ host: '127.0.0.1', port: 5300 }]);
  });
});

describe('load: precedence flags > env > defaults', () => {
  const env = {
    ZONEXFER_API: '0.0.0.0:9000',
    ZONEXFER_DATA: '/var/lib/zonexfer',
    DATABASE_URL: 'postgres://env@db:5432/zx',
    ZONEXFER_TOKEN: 'from-env',
    ZONEXFER_LOG_LEVEL: 'debug',
    ZONEXFER_TCP_IDLE_TIMEOUT_MS: '5000',
    ZONEXFER_TCP_MAX_CONNECTIONS: '10',
    ZONEXFER_TCP_MAX_CONNECTIONS_PER_CLIENT: '2',
    ZONEXFER_UDP_MAX_PAYLOAD: '4096',
  };

  it('env beats defaults', () => {
    const c = ok(load([], env));
    expect(c.api).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(c.dataDir).toBe('/var/lib/zonexfer');
    expect(c.databaseUrl).toBe('postgres://env@db:5432/zx');
    expect(c.token).toBe('from-env');
    expect(c.logLevel).toBe('debug');
    expect(c.tcpIdleTimeoutMs).toBe(5000);
    expect(c.tcpMaxConnections).toBe(10);
    expect(c.tcpMaxConnectionsPerClient).toBe(2);
    expect(c.udpMaxPayload).toBe(4096);
  });

  it('flags beat env, in both --flag value and --flag=value forms', () => {
    const c = ok(
      load(
        [
          '--api', '127.0.0.2:81',
          '--data=/tmp/zx',
          '--database-url', 'postgresql://flag@127.0.0.1/zx',
          '--token=from-flag',
          '--log-level', 'warn',
          '--tcp-idle-timeout-ms=100',
          '--tcp-max-connections', '1',
          '--tcp-max-connections-per-client', '1',
          '--udp-max-payload=512',
        ],
        env,
      ),
    );
    expect(c.api).toEqual({ host: '127.0.0.2', port: 81 });
    expect(c.dataDir).toBe('/tmp/zx');
    expect(c.databaseUrl).toBe('postgresql://flag@127.0.0.1/zx');
    expect(c.token).toBe('from-flag');
    expect(c.logLevel).toBe('warn');
    expect(c.tcpIdleTimeoutMs).toBe(100);
    expect(c.tcpMaxConnections).toBe(1);
    expect(c.tcpMaxConnectionsPerClient).toBe(1);
    expect(c.udpMaxPayload).toBe(512);
  });

  it('a non-repeatable flag given twice keeps the last value', () => {
    expect(ok(load(['--api', '127.0.0.1:1', '--api=127.0.0.1:2'], {})).api.port).toBe(2);
  });

  it('a value may contain "=" and start with a single dash in the --flag=value form', () => {
    expect(ok(load(['--token=-a=b'], {})).token).toBe('-a=b');
  });
});

describe('load: repeatable flags', () => {
  it('collects every --dns in order', () => {
    const c = ok(load(['--dns', '127.0.0.1:53', '--dns=[::1]:53', '--dns', 'localhost:5353'], {}));
    expect(c.dns).toEqual([
      { host: '127.0.0.1', port: 53 },
      { host: '::1', port: 53 },
      { host: 'localhost', port: 5353 },
    ]);
  });

  it('reads the env var as a comma list, trimming blanks', () => {
    const c = ok(load([], { ZONEXFER_DNS: '0.0.0.0:53, [::]:53,' }));
    expect(c.dns).toEqual([
      { host: '0.0.0.0', port: 53 },
      { host: '::', port: 53 },
    ]);
  });

  it('flags replace the env list rather than merging with it', () => {
    const c = ok(load(['--dns', '127.0.0.1:1'], { ZONEXFER_DNS: '127.0.0.1:2,127.0.0.1:3' }));
    expect(c.dns).toEqual([{ host: '127.0.0.1', port: 1 }]);
  });

  it('rejects the same address twice', () => {
    expect(err(load(['--dns', '127.0.0.1:53', '--dns', '127.0.0.1:53'], {}))).toMatch(/--dns.*"127\.0\.0\.1:53" is listed twice/);
  });

  it('parses --zone-file FILE and ORIGIN=FILE', () => {
    const c = ok(load(['--zone-file', 'fixtures/zones/example.com.zone', '--zone-file=Example.NET=/z/net.zone', '--zone-file', './a=b.zone'], {}));
    expect(c.zoneFiles).toEqual([
      { file: 'fixtures/zones/example.com.zone' },
      { origin: 'example.net.', file: '/z/net.zone' },
      { file: './a=b.zone' },
    ]);
  });

  it('reads ZONEXFER_ZONE_FILES as a comma list', () => {
    const c = ok(load([], { ZONEXFER_ZONE_FILES: 'a.zone,example.org.=b.zone' }));
    expect(c.zoneFiles).toEqual([{ file: 'a.zone' }, { origin: 'example.org.', file: 'b.zone' }]);
  });
});

describe('load: addresses', () => {
  it.each([
    ['[::1]:5300', { host: '::1', port: 5300 }],
    ['[::]:53', { host: '::', port: 53 }],
    ['[2001:db8::1]:0', { host: '2001:db8::1', port: 0 }],
    ['[::ffff:192.0.2.1]:65535', { host: '::ffff:192.0.2.1', port: 65535 }],
    ['192.0.2.1:53', { host: '192.0.2.1', port: 53 }],
    ['ns1.example.com:53', { host: 'ns1.example.com', port: 53 }],
  ])('accepts %s', (raw, want) => {
    expect(ok(load(['--api', raw], {})).api).toEqual(want);
  });

  it.each([
    ['::1:5300', /IPv6 addresses must be in brackets/],
    ['[::1]5300', /expected HOST:PORT/],
    ['[::1:5300', /expected HOST:PORT/],
    ['[nope]:53', /is not an IPv6 address/],
    ['127.0.0.1', /expected HOST:PORT/],
    ['127.0.0.1:', /port "" is not an integer/],
    ['127.0.0.1:65536', /port "65536" is not an integer in 0\.\.65535/],
    ['127.0.0.1:99999', /port "99999"/],
    ['127.0.0.1:-1', /port "-1"/],
    ['127.0.0.1:53x', /port "53x"/],
    ['300.1.1.1:53', /"300\.1\.1\.1" is not an IPv4 address or host name/],
    ['bad_host:53', /is not an IPv4 address or host name/],
  ])('rejects %s naming the flag and the value', (raw, reason) => {
    const e = err(load(['--dns', raw], {}));
    expect(e.startsWith('--dns: ')).toBe(true);
    expect(e).toContain(JSON.stringify(raw));
    expect(e).toMatch(reason);
  });

  it('names the env var (and its flag) when the bad value came from the environment', () => {
    const e = err(load([], { ZONEXFER_DNS: '127.0.0.1:53,127.0.0.1:70000' }));
    expect(e).toMatch(/^ZONEXFER_DNS \(--dns\): "127\.0\.0\.1:70000": port "70000"/);
  });
});

describe('load: other validation', () => {
  it.each([
    [['--udp-max-payload', '511'], /^--udp-max-payload: "511" is outside 512\.\.4096$/],
    [['--udp-max-payload', '4097'], /^--udp-max-payload: "4097" is outside 512\.\.4096$/],
    [['--tcp-idle-timeout-ms', '99'], /^--tcp-idle-timeout-ms: "99" is outside 100\.\./],
    [['--tcp-max-connections', '0'], /^--tcp-max-connections: "0" is outside 1\.\./],
    [['--tcp-max-connections-per-client', '1.5'], /^--tcp-max-connections-per-client: "1\.5" is not a non-negative integer$/],
    [['--log-level', 'verbose'], /^--log-level: "verbose" is not one of fatal, error, warn, info, debug, trace, silent$/],
    [['--database-url', 'mysql://x/y'], /^--database-url: "mysql:" is not supported/],
    [['--database-url', 'not a url'], /^--database-url: "not a url" is not a URL/],
    [['--data', ''], /^--data: data directory must not be empty$/],
    [['--zone-file', 'example.com='], /^--zone-file: "example\.com=": missing FILE/],
  ])('%j → error', (argv, want) => {
    expect(err(load(argv, {}))).toMatch(want);
  });

  it('does not echo a bad token back', () => {
    const e = err(load(['--token', 'sec ret'], {}));
    expect(e).toBe('--token: token must not contain whitespace');
  });
});

describe('load: argv shape', () => {
  it('rejects an unknown flag, naming it', () => {
    expect(err(load(['--dns', '127.0.0.1:53', '--bogus', 'x'], {}))).toMatch(/^unknown flag --bogus /);
    expect(err(load(['--bogus=1'], {}))).toMatch(/^unknown flag --bogus /);
  });

  it('rejects unknown short flags and positional arguments', () => {
    expect(err(load(['-x'], {}))).toMatch(/unexpected argument "-x"/);
    expect(err(load(['serve'], {}))).toMatch(/unexpected argument "serve"/);
  });

  it('rejects a flag with a missing value', () => {
    expect(err(load(['--token'], {}))).toBe('--token needs a value: --token TOKEN');
    expect(err(load(['--dns', '--api', '127.0.0.1:1'], {}))).toBe('--dns needs a value: --dns HOST:PORT');
  });

  it('leaves -h/--help to the CLI', () => {
    expect(wantsHelp(['--dns', '127.0.0.1:1', '-h'])).toBe(true);
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['--dns', '127.0.0.1:1'])).toBe(false);
    expect(load(['--help'], {}).ok).toBe(true);
  });
});

describe('help text and README table', () => {
  const help = helpText();

  it('mentions every flag, env var and default', () => {
    for (const key of SCHEMA_KEYS) {
      const s = schema[key];
      expect(help).toContain(`--${s.flag} ${s.metavar}`);
      expect(help).toContain(s.env);
      for (const d of s.defaults) expect(help).toContain(d);
    }
    expect(help).toContain('-h, --help');
  });

  it('names the options users rely on', () => {
    for (const flag of ['--dns', '--api', '--database-url', '--data', '--token', '--zone-file', '--log-level',
      '--tcp-idle-timeout-ms', '--tcp-max-connections', '--tcp-max-connections-per-client', '--udp-max-payload']) {
      expect(help).toMatch(new RegExp(`${flag} `));
    }
  });

  it('README.md contains the configuration table generated from the schema', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configTable());
  });
});
