// Small statistics and formatting helpers shared by scenarios and the report writer.

/** median of finite numbers, or null when there are none. */
export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** percentile q (0..1) of the values by nearest rank, or null when there are none. */
export function percentile(values, q) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : null;
}

/** ratio a / b, or null when either is missing or b is 0. */
export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : null;
}

/** fmtNumber: 12345.6 → "12 346"; small numbers keep up to `digits` decimals. */
export function fmtNumber(x, digits = 0) {
  if (!Number.isFinite(x)) return '–';
  const s = x.toFixed(digits);
  const [int, frac] = s.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}

/** fmtRatio: 0.4321 → "0.43×". */
export const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');

/** rotate([a,b,c], 1) → [b,c,a]: the order of repetition i. */
export function rotate(list, i) {
  if (list.length === 0) return [];
  const k = ((i % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}
