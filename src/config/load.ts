// Loads the Config once from argv and an environment map, with precedence flags > env > defaults,
// validates every value through the schema and returns it deeply frozen. Also renders the --help
// text and the README table from the same schema. Reads no process.env and does no I/O: the CLI
// passes `process.argv` (after the command word) and `process.env` in.
import { schema, SCHEMA_KEYS } from './schema.js';
import type { Config, OptionSpec } from './schema.js';

/** LoadResult is the typed Config, or one error line naming the flag (or env var) and the bad value. */
export type LoadResult = { readonly ok: true; readonly value: Config } | { readonly ok: false; readonly error: string };

/** Environment is the shape of `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

const HELP_FLAGS: ReadonlySet<string> = new Set(['-h', '--help']);

type Key = keyof Config;
const spec = (key: Key): OptionSpec<unknown> => schema[key] as OptionSpec<unknown>;
const byFlag: ReadonlyMap<string, Key> = new Map(SCHEMA_KEYS.map((k) => [spec(k).flag, k]));

/** wantsHelp reports whether argv asks for help (`-h` or `--help` anywhere before `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (HELP_FLAGS.has(arg)) return true;
  }
  return false;
}

/**
 * load builds the Config. `argv` holds only options (the CLI strips the command word); `-h` and
 * `--help` are ignored here because the CLI checks `wantsHelp` first. A repeatable flag given on the
 * command line replaces its env list entirely; a non-repeatable flag given twice keeps the last.
 * Empty env vars (or lists of only commas and blanks) count as unset. Fails on an unknown flag, a flag without a value, a positional
 * argument, or any value the schema rejects.
 */
export function load(argv: readonly string[], env: Environment): LoadResult {
  const flags = new Map<Key, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (HELP_FLAGS.has(arg)) continue;
    if (!arg.startsWith('--') || arg === '--') {
      return fail(`unexpected argument ${JSON.stringify(arg)}: options are --flag VALUE or --flag=VALUE (see --help)`);
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const key = byFlag.get(name);
    if (key === undefined) return fail(`unknown flag --${name} (see --help for the list)`);
    let value: string | undefined;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      // A following flag means the value was forgotten; `--flag=-x` passes a value starting with "-".
      if (value === undefined || value.startsWith('--') || HELP_FLAGS.has(value)) {
        return fail(`--${name} needs a value: --${name} ${spec(key).metavar}`);
      }
      i++;
    }
    const seen = flags.get(key);
    if (seen) seen.push(value);
    else flags.set(key, [value]);
  }

  const out: Record<string, unknown> = {};
  for (const key of SCHEMA_KEYS) {
    const s = spec(key);
    const fromFlags = flags.get(key);
    const envRaw = env[s.env]?.trim() ?? '';
    const fromEnv = s.repeatable ? envRaw.split(',').map((v) => v.trim()).filter((v) => v !== '') : [envRaw].filter((v) => v !== '');
    let raw: readonly string[];
    let source: string;
    if (fromFlags) {
      raw = fromFlags;
      source = `--${s.flag}`;
    } else if (fromEnv.length > 0) {
      raw = fromEnv;
      source = `${s.env} (--${s.flag})`;
    } else {
      raw = s.defaults;
      source = `default of --${s.flag}`;
    }
    const parsed = s.parse(raw);
    if (!parsed.ok) return fail(`${source}: ${parsed.error}`);
    out[key] = parsed.value;
  }
  return { ok: true, value: deepFreeze(out as unknown as Config) };
}

function fail(error: string): LoadResult {
  return { ok: false, error };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function flagLabel(s: OptionSpec<unknown>): string {
  return `--${s.flag} ${s.metavar}`;
}

function defaultLabel(s: OptionSpec<unknown>): string {
  return s.defaults.length === 0 ? (s.unsetMeans ?? 'none') : s.defaults.join(',');
}

/** helpText renders the --help output from the schema; `usage` is the first line. */
export function helpText(usage = 'Usage: zonexfer serve [options]'): string {
  const rows = SCHEMA_KEYS.map((k) => spec(k));
  const width = Math.max(...rows.map((s) => flagLabel(s).length), '-h, --help'.length) + 2;
  const pad = ' '.repeat(2 + width);
  const lines = [usage, '', 'Options (flags win over environment variables, which win over defaults):'];
  for (const s of rows) {
    lines.push(`  ${flagLabel(s).padEnd(width)}${s.doc.replaceAll('`', '')}`);
    const envNote = s.repeatable ? `env ${s.env} (comma list)` : `env ${s.env}`;
    lines.push(`${pad}${s.repeatable ? 'Repeatable. ' : ''}${envNote}; default ${defaultLabel(s)}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(width)}Show this help.`);
  return `${lines.join('\n')}\n`;
}

/** configTable renders the README's Markdown configuration table from the schema. */
export function configTable(): string {
  const lines = ['| flag | env | default | meaning |', '| --- | --- | --- | --- |'];
  for (const k of SCHEMA_KEYS) {
    const s = spec(k);
    const flag = `\`${flagLabel(s)}\`${s.repeatable ? ' (repeatable)' : ''}`;
    const env = `\`${s.env}\`${s.repeatable ? ' (comma list)' : ''}`;
    const def = s.defaults.length === 0 ? (s.unsetMeans ?? 'none') : `\`${defaultLabel(s)}\``;
    lines.push(`| ${flag} | ${env} | ${def} | ${s.doc.replaceAll('|', '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}
