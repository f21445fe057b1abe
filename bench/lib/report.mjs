// The generic report writer. A scenario hands back a ScenarioResult; this module writes
//   bench/results/<date>-<host>[-quick].json   machine-readable: environment + every scenario
//   bench/results/<date>-<host>[-quick].md     a section and a table per scenario
//   bench/results/<date>-<host>[-quick]-<scenario>.svg   a bar chart per scenario
// Re-running some scenarios on the same day and host replaces those scenarios in the files and
// keeps the others, so scenarios can be run one at a time.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { barChart } from './svg.mjs';
import { fmtNumber, fmtRatio, median, ratio } from './stats.mjs';

/**
 * @typedef {object} ScenarioRow
 * @property {string} system
 * @property {string} [version]
 * @property {number} repetitions           How many repetitions gave a value (= values.length).
 * @property {number[]} values              One per successful repetition, in run order.
 * @property {number|null} median
 * @property {string|null} [error]          Why the system has no value ("error: …" in the table).
 * @property {Record<string, string>} [extra]  Extra display columns, already formatted.
 * @property {object} [details]             Anything machine-readable (per-repetition results).
 *
 * @typedef {object} ScenarioResult
 * @property {string} name                  e.g. 'queries' (also the module file name).
 * @property {string} title
 * @property {string} description           One paragraph: what is measured and how.
 * @property {string} unit                  e.g. 'QPS', 'seconds', 'MiB/s'.
 * @property {boolean} higherIsBetter
 * @property {string} baseline              The system the ratios are about ('zonexfer').
 * @property {Record<string, unknown>} params  Duration, repetitions, zone size, flags…
 * @property {ScenarioRow[]} rows
 * @property {{ label: string, value: number|null }[]} ratios
 * @property {string[]} notes               Warnings and caveats, shown under the table.
 * @property {ReportTable[]} [tables]       Optional further tables (e.g. one row per configuration
 *                                          and system), shown after the ratios; the rows/ratios
 *                                          above stay the headline (chart, JSON consumers).
 * @property {string} startedAt
 * @property {string} finishedAt
 */

/**
 * @typedef {object} ReportTable
 * @property {string} title
 * @property {string[]} columns             Header cells; a column whose header ends in ' ' is
 *                                          left-aligned, others right-aligned after the first.
 * @property {(string|number|null)[][]} rows  Cells, already formatted (numbers are printed as is).
 * @property {string} [caption]             One paragraph under the title.
 */

/** row builds a ScenarioRow from raw values (median computed here). */
export function row(system, { version, values = [], error = null, extra, details } = {}) {
  return { system, version, repetitions: values.length, values, median: error ? null : median(values), error, extra, details };
}

/**
 * standardRatios: baseline / each peer, and baseline / best peer (highest, or lowest when lower
 * is better). A ratio is null when either side has no value.
 * @param {ScenarioRow[]} rows
 */
export function standardRatios(rows, baseline, higherIsBetter = true) {
  const base = rows.find((r) => r.system === baseline);
  const peers = rows.filter((r) => r.system !== baseline);
  const out = peers.map((p) => ({ label: `${baseline} / ${p.system}`, value: ratio(base?.median, p.median) }));
  const measured = peers.filter((p) => Number.isFinite(p.median));
  if (measured.length > 0) {
    const best = measured.reduce((x, y) => ((higherIsBetter ? y.median > x.median : y.median < x.median) ? y : x));
    out.push({ label: `${baseline} / best peer (${best.system})`, value: ratio(base?.median, best.median) });
  }
  return out;
}

const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const oneLine = (s, n = 160) => {
  const t = String(s).split('\n')[0].trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};

function scenarioMarkdown(s, svgName) {
  const digits = s.rows.some((r) => Number.isFinite(r.median) && r.median < 10) ? 2 : 0;
  const base = s.rows.find((r) => r.system === s.baseline);
  const extraKeys = [...new Set(s.rows.flatMap((r) => Object.keys(r.extra ?? {})))];
  const lines = [`## ${s.title} (\`${s.name}\`)`, '', s.description, ''];
  const params = Object.entries(s.params ?? {}).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`);
  if (params.length) lines.push(`Parameters: ${params.map((p) => `\`${p}\``).join(', ')}.`, '');
  if (svgName) lines.push(`![${s.name}](${svgName})`, '');
  lines.push(
    `| system | version | median ${s.unit} | repetitions | ${s.baseline} / system | ${extraKeys.join(' | ')}${extraKeys.length ? ' |' : ''}`,
    `| --- | --- | ---: | --- | ---: |${extraKeys.map(() => ' ---: |').join('')}`,
  );
  for (const r of s.rows) {
    const value = r.error ? `error: ${oneLine(r.error)}` : fmtNumber(r.median, digits);
    const reps = r.values.map((v) => fmtNumber(v, digits)).join(', ');
    const rel = r.system === s.baseline && !r.error ? '1.00×' : fmtRatio(ratio(base?.median, r.median));
    const extras = extraKeys.map((k) => ` ${cell(r.extra?.[k] ?? '')} |`).join('');
    lines.push(`| ${cell(r.system)} | ${cell(r.version ?? '')} | ${cell(value)} | ${cell(reps)} | ${rel} |${extras}`);
  }
  lines.push('');
  if (s.ratios?.length) {
    lines.push(`Ratios (${s.higherIsBetter ? 'higher' : 'lower'} is better for ${s.baseline}):`, '');
    for (const q of s.ratios) lines.push(`- ${q.label}: **${fmtRatio(q.value)}**`);
    lines.push('');
  }
  for (const t of s.tables ?? []) lines.push(...tableMarkdown(t));
  if (s.notes?.length) {
    lines.push('Notes:', '');
    for (const n of s.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}

function tableMarkdown(t) {
  const out = [`**${t.title}**`, ''];
  if (t.caption) out.push(t.caption, '');
  out.push(`| ${t.columns.map((c) => cell(c.trim())).join(' | ')} |`, `| ${t.columns.map((c, i) => (i === 0 || c.endsWith(' ') ? '---' : '---:')).join(' | ')} |`);
  for (const r of t.rows) out.push(`| ${t.columns.map((_, i) => cell(r[i] ?? '')).join(' | ')} |`);
  out.push('');
  return out;
}

function environmentMarkdown(env) {
  const v = Object.entries(env.versions ?? {}).map(([k, x]) => `${k} ${x}`).join(', ');
  return [
    `- Host: \`${env.hostname}\`, ${env.cpuModel} (${env.cpuCount} CPUs), ${env.platform} ${env.kernel}, ${Math.round(env.memoryMiB)} MiB RAM`,
    `- Node ${env.node}; ${v}`,
    `- Pinning: ${env.pinning}`,
    `- Command: \`${env.command}\``,
    '',
  ].join('\n');
}

/**
 * writeReport merges `scenarios` into the day's report for this host and writes .json, .md and
 * one .svg per scenario. Returns the paths written.
 * @param {{ dir: string, stem: string, environment: object, scenarios: ScenarioResult[] }} o
 */
export function writeReport({ dir, stem, environment, scenarios }) {
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `${stem}.json`);
  let merged = [];
  if (existsSync(jsonPath)) {
    try {
      merged = JSON.parse(readFileSync(jsonPath, 'utf8')).scenarios ?? [];
    } catch {
      merged = [];
    }
  }
  for (const s of scenarios) {
    const i = merged.findIndex((m) => m.name === s.name);
    if (i >= 0) merged[i] = s;
    else merged.push(s);
  }
  const written = [];
  const doc = { format: 'zonexfer-bench/1', stem, environment, scenarios: merged };
  writeFileSync(jsonPath, `${JSON.stringify(doc, null, 2)}\n`);
  written.push(jsonPath);

  const md = [`# zonexfer benchmark — ${stem}`, '', environmentMarkdown(environment)];
  for (const s of merged) {
    const svgPath = join(dir, `${stem}-${s.name}.svg`);
    // The last ratio is the headline one (standardRatios puts "best peer" last).
    const headline = (s.ratios ?? []).filter((q) => Number.isFinite(q.value)).at(-1);
    const subtitle = [`${s.unit}, ${s.higherIsBetter ? 'higher' : 'lower'} is better`, stem, ...(headline ? [`${headline.label} = ${fmtRatio(headline.value)}`] : [])].join(' · ');
    writeFileSync(svgPath, barChart({ title: s.title, unit: s.unit, subtitle, baseline: s.baseline, rows: s.rows }));
    written.push(svgPath);
    md.push(scenarioMarkdown(s, basename(svgPath)));
  }
  const mdPath = join(dir, `${stem}.md`);
  writeFileSync(mdPath, `${md.join('\n').trimEnd()}\n`);
  written.push(mdPath);
  return written;
}
