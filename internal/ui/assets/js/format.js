// Formatting of times, durations, revisions and numbers.

/** ago is a short relative time: "just now", "5m ago", "3d ago". */
export function ago(ts) {
  if (!ts) return 'never';
  const s = Math.round((Date.now() - Date.parse(ts)) / 1000);
  if (s < 0) return 'in the future';
  if (s < 10) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** duration writes milliseconds as "850 ms", "4.2 s", "3m 5s", "2h 10m", "3d 4h". */
export function duration(ms) {
  if (ms == null || !isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr}h ${m % 60}m`;
  return `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

/** between is the duration from a to b (timestamps), or null. */
export function between(a, b) {
  if (!a || !b) return null;
  return Date.parse(b) - Date.parse(a);
}

/** short abbreviates a Git revision to 7 characters. */
export function short(rev) {
  return rev ? rev.slice(0, 7) : '';
}

/** firstLine is a commit message's subject. */
export function firstLine(s) {
  return (s || '').split('\n')[0];
}

/** count writes an integer with thousands separators. */
export function count(n) {
  return Number(n || 0).toLocaleString('en');
}

/** percent writes a ratio as a percentage. */
export function percent(r) {
  return `${(100 * (r || 0)).toFixed(r && r < 0.1 ? 1 : 0)}%`;
}

/** plural writes "1 app" or "3 apps". */
export function plural(n, word, many = word + 's') {
  return `${count(n)} ${n === 1 ? word : many}`;
}
