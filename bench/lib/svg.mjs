// A hand-written horizontal bar chart (no dependency): one bar per system at its median, a thin
// whisker from the lowest to the highest repetition, the value at the bar's end, and the error
// text in place of the bar for a system that failed.
import { fmtNumber } from './stats.mjs';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** niceStep picks 1/2/5×10^k so that `max` spans about `ticks` steps. */
function niceStep(max, ticks = 5) {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/**
 * barChart renders a scenario (see report.mjs) as SVG text.
 * @param {{ title: string, unit: string, subtitle?: string, baseline?: string,
 *   rows: { system: string, median: number|null, values: number[], error?: string|null, version?: string }[] }} s
 */
export function barChart(s) {
  const width = 760;
  const left = 170;
  const right = 110;
  const top = 64;
  const rowH = 38;
  const barH = 22;
  const plotW = width - left - right;
  const rows = s.rows;
  const height = top + rows.length * rowH + 42;
  const all = rows.flatMap((r) => [r.median, ...(r.values ?? [])]).filter(Number.isFinite);
  const maxVal = Math.max(1, ...all);
  const step = niceStep(maxVal);
  const axisMax = Math.ceil(maxVal / step) * step;
  const x = (v) => left + (plotW * v) / axisMax;
  const digits = axisMax < 10 ? 2 : 0;

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="26" font-size="16" font-weight="600" fill="#111">${esc(s.title)}</text>`);
  if (s.subtitle) out.push(`<text x="16" y="46" fill="#555">${esc(clip(s.subtitle, 110))}</text>`);

  // Grid and axis labels.
  const plotBottom = top + rows.length * rowH;
  for (let v = 0; v <= axisMax + step / 2; v += step) {
    const gx = x(v).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${plotBottom}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${gx}" y="${plotBottom + 16}" text-anchor="middle" fill="#666" font-size="11">${esc(fmtNumber(v, digits))}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${plotBottom + 34}" text-anchor="middle" fill="#444" font-size="12">${esc(s.unit)} (median; whisker = min–max of repetitions)</text>`);

  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const cy = y + rowH / 2;
    const isBase = r.system === s.baseline;
    out.push(`<text x="${left - 10}" y="${cy - 2}" text-anchor="end" fill="#111" font-weight="${isBase ? 600 : 400}">${esc(r.system)}</text>`);
    if (r.version) out.push(`<text x="${left - 10}" y="${cy + 12}" text-anchor="end" fill="#888" font-size="10">${esc(clip(r.version, 26))}</text>`);
    if (r.error || !Number.isFinite(r.median)) {
      out.push(`<text x="${left + 6}" y="${cy + 4}" fill="#b42318">${esc(clip(`error: ${r.error ?? 'no value'}`, 90))}</text>`);
      return;
    }
    const w = Math.max(1, x(r.median) - left);
    out.push(`<rect x="${left}" y="${(cy - barH / 2).toFixed(1)}" width="${w.toFixed(1)}" height="${barH}" rx="2" fill="${isBase ? '#d9480f' : '#4263eb'}" fill-opacity="${isBase ? 0.9 : 0.75}"/>`);
    const vals = (r.values ?? []).filter(Number.isFinite);
    if (vals.length > 1) {
      const [lo, hi] = [Math.min(...vals), Math.max(...vals)];
      out.push(`<line x1="${x(lo).toFixed(1)}" y1="${cy}" x2="${x(hi).toFixed(1)}" y2="${cy}" stroke="#222" stroke-width="1.5"/>`);
      for (const v of [lo, hi]) out.push(`<line x1="${x(v).toFixed(1)}" y1="${cy - 5}" x2="${x(v).toFixed(1)}" y2="${cy + 5}" stroke="#222" stroke-width="1.5"/>`);
    }
    const labelX = Math.max(x(r.median), ...vals.map(x)) + 6;
    out.push(`<text x="${labelX.toFixed(1)}" y="${cy + 4}" fill="#111">${esc(fmtNumber(r.median, digits))}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
