// Charts as inline SVG, drawn from data already on the page. Each chart
// has a text title and description for screen readers, and its numbers are
// also in a table on the page.
import { h } from './dom.js';

const W = 600;

/**
 * bars draws horizontal bars, one per row {label, value, text, href}.
 * ref {value, label} draws a dashed reference line (the overall value).
 */
export function bars({ title, rows, ref, empty = 'No data in this window.' }) {
  if (!rows.length) return h('p', { class: 'muted chart-empty' }, empty);
  const rowH = 28;
  const labelW = 150;
  const textW = 110;
  const barW = W - labelW - textW;
  const max = Math.max(...rows.map((r) => r.value), ref ? ref.value : 0) || 1;
  const height = rows.length * rowH + (ref ? 22 : 6);
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', 'aria-label': title, preserveAspectRatio: 'xMinYMin meet' },
    h('svg:title', {}, title),
    rows.map((r, i) => {
      const y = i * rowH + 4;
      const w = Math.max(r.value > 0 ? 2 : 0, (r.value / max) * barW);
      const bar = [
        h('svg:text', { x: labelW - 8, y: y + 16, 'text-anchor': 'end', class: 'label' }, clip(r.label, 18)),
        h('svg:rect', { x: labelW, y, width: w, height: rowH - 8, rx: 3, class: `bar ${r.tone || ''}` }),
        h('svg:text', { x: labelW + w + 6, y: y + 16, class: 'value' }, r.text),
        h('svg:title', {}, `${r.label}: ${r.text}`),
      ];
      return r.href ? h('svg:a', { href: r.href }, bar) : h('svg:g', {}, bar);
    }),
    ref ? [
      h('svg:line', { x1: labelW + (ref.value / max) * barW, x2: labelW + (ref.value / max) * barW, y1: 0, y2: rows.length * rowH, class: 'ref' }),
      h('svg:text', { x: Math.min(labelW + (ref.value / max) * barW, W - 4), y: height - 6, 'text-anchor': 'end', class: 'ref-label' }, ref.label),
    ] : null);
  return svg;
}

/**
 * columns draws stacked daily columns: days [{label, parts: [{value, tone, name}]}].
 */
export function columns({ title, days, legend }) {
  const H = 180;
  const top = 14;
  const bottom = 26;
  const left = 30;
  const plotH = H - top - bottom;
  const colW = (W - left) / Math.max(days.length, 1);
  const max = Math.max(1, ...days.map((d) => d.parts.reduce((s, p) => s + p.value, 0)));
  const every = Math.ceil(days.length / 8);
  return h('figure', { class: 'chart-fig' },
    h('svg:svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title },
      h('svg:title', {}, title),
      h('svg:line', { x1: left, x2: W, y1: top + plotH, y2: top + plotH, class: 'axis' }),
      h('svg:text', { x: left - 6, y: top + 4, 'text-anchor': 'end', class: 'label' }, String(max)),
      h('svg:text', { x: left - 6, y: top + plotH, 'text-anchor': 'end', class: 'label' }, '0'),
      days.map((d, i) => {
        let y = top + plotH;
        const x = left + i * colW + colW * 0.15;
        const parts = d.parts.filter((p) => p.value > 0).map((p) => {
          const hgt = (p.value / max) * plotH;
          y -= hgt;
          return h('svg:rect', { x, y, width: colW * 0.7, height: hgt, class: `bar ${p.tone}` }, h('svg:title', {}, `${d.label}: ${p.value} ${p.name}`));
        });
        const label = i % every === 0 ? h('svg:text', { x: x + colW * 0.35, y: H - 8, 'text-anchor': 'middle', class: 'label' }, d.label) : null;
        return h('svg:g', {}, parts, label);
      })),
    legend ? h('figcaption', { class: 'legend' }, legend.map(([tone, name]) => h('span', {}, h('span', { class: `swatch ${tone}`, 'aria-hidden': 'true' }), name))) : null);
}

function clip(s, n) {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
