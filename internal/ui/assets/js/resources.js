// The app page's Resources and Diff tabs. Both ask the target for a fresh
// plan, so they load when their tab opens and again after a sync or drift.
import * as api from './api.js';
import { h, fill } from './dom.js';
import { short, plural, count } from './format.js';
import { badge } from './status.js';

const STALE = /^(sync\.|drift\.|app\.rollback|resync)/;

/** loader runs load into panel, shows errors with a retry, reloads on app events. */
function loader(panel, load) {
  let timer = null;
  let seq = 0;
  const reload = async () => {
    const mine = ++seq;
    panel.setAttribute('aria-busy', 'true');
    try {
      const draw = await load();
      if (mine === seq) draw();
    } catch (err) {
      if (mine === seq && err.status !== 401) {
        fill(panel, h('p', { class: 'form-error', role: 'alert' }, err.message), h('button', { type: 'button', class: 'btn', onclick: reload }, 'Try again'));
      }
    } finally {
      if (mine === seq) panel.removeAttribute('aria-busy');
    }
  };
  fill(panel, h('p', { class: 'muted' }, 'Loading…'));
  reload();
  return {
    reload,
    onEvent(ev) {
      if (!STALE.test(ev.type)) return;
      clearTimeout(timer);
      timer = setTimeout(reload, 800);
    },
    stop() { clearTimeout(timer); },
  };
}

/** resourcesPanel lists the app's objects, grouped by kind or directory. */
export function resourcesPanel(panel, page) {
  let filter = '';
  let list = [];
  const body = h('div');
  return loader(panel, async () => {
    list = await api.get(`/api/v1/apps/${api.enc(page.name)}/resources`);
    return () => {
      const input = h('input', { id: 'res-filter', type: 'search', value: filter, placeholder: 'filter objects', oninput: () => { filter = input.value.toLowerCase(); draw(); } });
      fill(panel,
        h('h2', { class: 'panel-title' }, 'Resources'),
        h('p', { class: 'muted', id: 'res-summary' }, summary(list)),
        list.length > 15 ? h('div', { class: 'field inline' }, h('label', { for: 'res-filter' }, 'Filter'), input) : null,
        body);
      draw();
    };
  });

  function draw() {
    const shown = list.filter((r) => !filter || r.object.toLowerCase().includes(filter));
    if (!shown.length) {
      fill(body, h('p', { class: 'muted' }, list.length ? 'No object matches.' : 'This app owns no objects yet.'));
      return;
    }
    const groups = new Map();
    for (const r of shown) {
      const g = groupOf(r.object);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(r);
    }
    fill(body, h('div', { class: 'table-wrap' }, h('table', { class: 'resources', id: 'resources-table' },
      h('caption', { class: 'sr-only' }, 'Objects of the app with their sync state and health'),
      h('thead', {}, h('tr', {}, ['Object', 'Sync', 'Health', 'Why'].map((c) => h('th', { scope: 'col' }, c)))),
      [...groups].map(([g, rs]) => h('tbody', {},
        h('tr', { class: 'group' }, h('th', { scope: 'rowgroup', colspan: 4 }, g, h('span', { class: 'muted' }, ` · ${count(rs.length)}`))),
        rs.map((r) => h('tr', { 'data-object': r.object },
          h('td', { 'data-label': 'Object' }, h('code', {}, r.object)),
          h('td', { 'data-label': 'Sync' }, badge(r.sync)),
          h('td', { 'data-label': 'Health' }, r.health ? badge(r.health) : h('span', { class: 'muted' }, 'not reported')),
          h('td', { 'data-label': 'Why' }, [r.reason, r.message].filter(Boolean).join(' · ')))))))));
  }
}

function summary(list) {
  const by = {};
  for (const r of list) by[r.sync] = (by[r.sync] || 0) + 1;
  return [plural(list.length, 'object'), ...Object.entries(by).map(([k, n]) => `${count(n)} ${k}`)].join(' · ');
}

/** groupOf is an object's kind (Kind/ns/name) or top directory (dir/file). */
function groupOf(object) {
  const i = object.indexOf('/');
  return i < 0 ? '(top level)' : object.slice(0, i);
}

/** diffPanel shows what a sync would change now, with redacted diffs. */
export function diffPanel(panel, page) {
  return loader(panel, async () => {
    const d = await api.get(`/api/v1/apps/${api.enc(page.name)}/diff`);
    return () => {
      const changed = (d.actions || []).filter((a) => a.type !== 'unchanged');
      const same = (d.actions || []).filter((a) => a.type === 'unchanged');
      fill(panel,
        h('h2', { class: 'panel-title' }, 'Diff between Git and the target'),
        h('p', { id: 'diff-summary', class: d.changes ? '' : 'ok-text' },
          d.changes ? `A sync of ${short(d.revision)} would make ${plural(changed.length, 'change')}:` :
            `In sync: nothing would change at ${short(d.revision)}.`),
        changed.map(action),
        same.length ? h('details', { class: 'unchanged' }, h('summary', {}, `${plural(same.length, 'object')} unchanged`),
          h('ul', {}, same.map((a) => h('li', {}, h('code', {}, a.object), a.reason && a.reason !== 'up to date' ? ` — ${a.reason}` : '')))) : null,
        h('p', { class: 'help' }, 'Secret values are redacted by the daemon before they reach this page.'));
    };
  });
}

function action(a) {
  return h('article', { class: 'diff-action', 'data-object': a.object },
    h('h3', {}, badge(a.type, { t: { create: 'ok', update: 'warn', delete: 'bad' }[a.type] }), ' ', h('code', {}, a.object)),
    h('p', { class: 'muted' }, a.reason, a.detail ? ` — ${a.detail}` : ''),
    a.diff ? h('pre', { class: 'diff', tabindex: '0', 'aria-label': `Diff of ${a.object}` }, a.diff.replace(/\n$/, '').split('\n').map(diffLine)) : null);
}

function diffLine(line) {
  const cls = line.startsWith('+++') || line.startsWith('---') ? 'hdr' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : null;
  return h('span', { class: cls ? `line ${cls}` : 'line' }, line + '\n');
}
