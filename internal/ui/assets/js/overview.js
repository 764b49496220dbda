// The apps overview: every app the caller may read, filtered, searched and
// paged in the browser (the list is loaded once, then kept current from the
// event stream by re-reading only the apps that changed).
import * as api from './api.js';
import * as live from './live.js';
import { h, fill, hidden, timeEl, keepFocus } from './dom.js';
import { ago, short, firstLine, count, plural } from './format.js';
import { badge } from './status.js';

const SYNC = ['Synced', 'OutOfSync', 'Syncing', 'Failed', 'Unknown'];
const HEALTH = ['Healthy', 'Progressing', 'Degraded', 'Missing', 'Unknown'];
const SIZES = [25, 50, 100, 200];
const SORTS = { name: 'Name', problems: 'Problems first', recent: 'Last sync, newest first' };
// Above this many changed apps at once, the whole list is read again.
const BULK = 20;

/** render draws the overview into root. */
export function render(root, ctx) {
  document.title = 'Apps · plumb';
  const q = new URLSearchParams(location.search);
  const st = {
    q: q.get('q') || '', sync: q.get('sync') || '', health: q.get('health') || '', target: q.get('target') || '',
    drift: q.get('drift') === '1', sort: SORTS[q.get('sort')] ? q.get('sort') : 'name',
    size: SIZES.includes(+q.get('size')) ? +q.get('size') : 50, page: Math.max(1, +q.get('page') || 1),
  };
  let apps = [];
  let byName = new Map();
  let complete = false;
  let flashed = new Set();

  const status = h('p', { class: 'muted', id: 'apps-status', role: 'status' }, 'Loading apps…');
  const summary = h('div', { class: 'chips', id: 'summary', role: 'group', 'aria-label': 'Quick filters' });
  const search = h('input', { id: 'f-q', type: 'search', value: st.q, placeholder: 'name, path, commit, author…', oninput: debounce(() => set({ q: search.value.trim() }), 120) });
  const syncSel = select('f-sync', ['', ...SYNC], st.sync, 'Any', (v) => set({ sync: v }));
  const healthSel = select('f-health', ['', ...HEALTH], st.health, 'Any', (v) => set({ health: v }));
  const targetSel = select('f-target', [''], st.target, 'Any', (v) => set({ target: v }));
  const driftBox = h('input', { id: 'f-drift', type: 'checkbox', checked: st.drift, onchange: () => set({ drift: driftBox.checked }) });
  const sortSel = select('f-sort', Object.keys(SORTS), st.sort, null, (v) => set({ sort: v }), SORTS);
  const sizeSel = select('f-size', SIZES.map(String), String(st.size), null, (v) => set({ size: +v, page: 1 }));
  const tbody = h('tbody', { id: 'apps-body' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });

  fill(root,
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, 'Apps'), status),
    summary,
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
      field('f-q', 'Search', search, 'grow'),
      field('f-sync', 'Sync', syncSel),
      field('f-health', 'Health', healthSel),
      field('f-target', 'Target', targetSel),
      h('div', { class: 'field check' }, driftBox, h('label', { for: 'f-drift' }, 'Drifted only')),
      field('f-sort', 'Sort', sortSel),
      field('f-size', 'Per page', sizeSel)),
    h('div', { class: 'table-wrap' },
      h('table', { class: 'apps', id: 'apps-table' },
        h('caption', { class: 'sr-only' }, 'Apps with their sync state, health, revision, last sync, drift and target'),
        h('thead', {}, h('tr', {}, ['App', 'Sync', 'Health', 'Revision', 'Last sync', 'Drift', 'Target'].map((c) => h('th', { scope: 'col' }, c)))),
        tbody)),
    pager);

  // First paint from one page, then the whole list for filters and counts
  // (one after the other: the first page is not slowed by the big one).
  const unfiltered = !st.q && !st.sync && !st.health && !st.target && !st.drift && st.page === 1 && st.sort === 'name';
  if (unfiltered) {
    api.get(`/api/v1/apps?limit=${st.size}`).then((list) => {
      if (complete) return;
      apps = list.items;
      draw(list.total);
    }).catch(() => {}).finally(loadAll);
  } else {
    loadAll();
  }

  const pending = new Set();
  let full = false;
  let timer = null;
  const off = live.subscribe((ev) => {
    if (ev.type === 'resync' || !ev.app || ev.type === 'app.removed') full = true;
    else pending.add(ev.app);
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  const tick = setInterval(() => complete && drawRows(), 30000);
  return () => { off(); clearTimeout(timer); clearInterval(tick); };

  async function loadAll() {
    try {
      const list = await api.get('/api/v1/apps');
      setApps(list.items);
      complete = true;
      draw();
    } catch (err) {
      status.textContent = 'Could not load apps: ' + err.message;
      status.classList.add('form-error');
    }
  }

  async function refresh() {
    const names = [...pending];
    const all = full || names.length > BULK || !complete;
    pending.clear();
    full = false;
    if (all) {
      const before = new Map(byName);
      await loadAll();
      for (const a of apps) if (JSON.stringify(a) !== JSON.stringify(before.get(a.name))) flashed.add(a.name);
      draw();
      return;
    }
    await Promise.all(names.map(async (name) => {
      try {
        const a = await api.get(`/api/v1/apps/${api.enc(name)}`);
        if (byName.has(name)) apps[apps.findIndex((x) => x.name === name)] = a;
        else apps.push(a);
        flashed.add(name);
      } catch (err) {
        if (err.status === 404) apps = apps.filter((x) => x.name !== name);
      }
    }));
    setApps(apps);
    draw();
  }

  function setApps(items) {
    apps = items;
    apps.sort((a, b) => (a.name < b.name ? -1 : 1));
    byName = new Map(apps.map((a) => [a.name, a]));
  }

  function set(change) {
    Object.assign(st, change);
    if (!('page' in change)) st.page = 1;
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(st)) {
      if (k === 'drift') { if (v) p.set('drift', '1'); } else if (v && !(k === 'page' && v === 1) && !(k === 'size' && v === 50) && !(k === 'sort' && v === 'name')) p.set(k, v);
    }
    const qs = p.toString();
    history.replaceState(null, '', qs ? '/?' + qs : '/');
    if (complete) draw();
  }

  function matching() {
    const needle = st.q.toLowerCase();
    const out = apps.filter((a) => (!st.sync || a.status.sync === st.sync) &&
      (!st.health || a.status.health === st.health) &&
      (!st.target || a.target === st.target) &&
      (!st.drift || (a.status.drift || []).length > 0) &&
      (!needle || haystack(a).includes(needle)));
    if (st.sort === 'problems') out.sort((a, b) => rank(b) - rank(a) || (a.name < b.name ? -1 : 1));
    if (st.sort === 'recent') out.sort((a, b) => (b.status.lastSyncAt || '').localeCompare(a.status.lastSyncAt || ''));
    return out;
  }

  function draw(total) {
    if (complete) {
      drawSummary();
      drawTargets();
    }
    drawRows(total);
  }

  function drawRows(total) {
    const list = complete ? matching() : apps;
    const n = complete ? list.length : total;
    const pages = Math.max(1, Math.ceil(n / st.size));
    st.page = Math.min(st.page, pages);
    const start = (st.page - 1) * st.size;
    const rows = complete ? list.slice(start, start + st.size) : list;
    keepFocus(tbody, () => fill(tbody, rows.length ? rows.map(row) : h('tr', {}, h('td', { colspan: 7, class: 'empty' },
      apps.length ? 'No app matches these filters.' : 'No apps yet: add App documents to the config.'))));
    flashed.clear();
    mark('plumb:apps-first-rows');
    if (complete) mark('plumb:apps-complete');
    status.classList.remove('form-error');
    status.textContent = n === 0 ? 'No apps shown.' :
      `Showing ${count(start + 1)}–${count(start + rows.length)} of ${plural(n, 'app')}` +
      (complete && n !== apps.length ? ` (filtered from ${count(apps.length)})` : '') + (complete ? '' : ' · loading the rest…');
    drawPager(pages);
  }

  function row(a) {
    const s = a.status;
    const drift = s.drift || [];
    return h('tr', { 'data-app': a.name, class: flashed.has(a.name) ? 'flash' : null },
      h('td', { 'data-label': 'App' },
        h('a', { class: 'app-link', href: `/apps/${api.enc(a.name)}` }, a.name),
        h('div', { class: 'sub' }, a.path || ''),
        s.lastError ? h('div', { class: 'sub err', title: s.lastError }, firstLine(s.lastError)) : null),
      h('td', { 'data-label': 'Sync', class: 'cell-sync' }, badge(s.sync),
        a.suspend ? badge('Suspended') : null,
        s.pinnedRevision ? badge('Pinned', { label: `Pinned ${short(s.pinnedRevision)}`, title: 'Rolled back: pinned to ' + s.pinnedRevision }) : null),
      h('td', { 'data-label': 'Health', class: 'cell-health' }, badge(s.health, { title: s.healthMessage })),
      h('td', { 'data-label': 'Revision', class: 'rev' }, revision(s)),
      h('td', { 'data-label': 'Last sync' }, timeEl(s.lastSyncAt, ago(s.lastSyncAt))),
      h('td', { 'data-label': 'Drift', class: 'cell-drift' }, drift.length ?
        badge('drifted', { label: `${drift.length} drifted`, title: drift.map((d) => d.object + (d.detail ? ': ' + d.detail : '')).join('\n') }) :
        h('span', { class: 'muted' }, h('span', { 'aria-hidden': 'true' }, '—'), hidden('no drift'))),
      h('td', { 'data-label': 'Target' }, a.target));
  }

  function drawSummary() {
    const n = (f) => apps.filter(f).length;
    const chips = [
      ['All', { sync: '', health: '', drift: false }, apps.length, 'neutral'],
      ...SYNC.map((v) => [v, { sync: v }, n((a) => a.status.sync === v), null]),
      ...HEALTH.filter((v) => v !== 'Unknown').map((v) => [v, { health: v }, n((a) => a.status.health === v), null]),
      ['Drifted', { drift: true }, n((a) => (a.status.drift || []).length > 0), 'warn'],
    ].filter(([, , c], i) => i === 0 || c > 0);
    fill(summary, chips.map(([label, change, c, t]) => {
      const pressed = label === 'All' ? !st.sync && !st.health && !st.drift :
        Object.entries(change).every(([k, v]) => st[k] === v);
      return h('button', { type: 'button', class: 'chip', 'aria-pressed': String(pressed), onclick: () => set(pressed && label !== 'All' ? clearOf(change) : change) },
        label === 'All' ? h('span', {}, 'All') : badge(label === 'Drifted' ? 'drifted' : label, { label, t }), h('span', { class: 'n' }, count(c)));
    }));
    syncSel.value = st.sync;
    healthSel.value = st.health;
    driftBox.checked = st.drift;
  }

  function drawTargets() {
    const targets = [...new Set(apps.map((a) => a.target))].sort();
    const have = [...targetSel.options].map((o) => o.value).slice(1);
    if (have.join('\n') === targets.join('\n')) return;
    fill(targetSel, h('option', { value: '' }, 'Any'), targets.map((t) => h('option', { value: t }, t)));
    targetSel.value = st.target;
  }

  function drawPager(pages) {
    const go = (p) => () => { set({ page: p }); tbody.closest('table').scrollIntoView({ block: 'start' }); };
    fill(pager,
      h('button', { type: 'button', class: 'btn', disabled: st.page <= 1, onclick: go(st.page - 1) }, '‹ Previous'),
      h('span', { class: 'muted', 'aria-live': 'polite' }, `Page ${count(st.page)} of ${count(pages)}`),
      h('button', { type: 'button', class: 'btn', disabled: st.page >= pages, onclick: go(st.page + 1) }, 'Next ›'));
  }
}

/** revision shows a short SHA, the commit subject and its author. */
export function revision(s) {
  const c = s.commit || {};
  const rev = s.revision || c.revision;
  if (!rev) return h('span', { class: 'muted' }, 'not deployed');
  return [
    h('code', { class: 'sha', title: rev }, short(rev)), ' ',
    h('span', { class: 'msg', title: c.message || '' }, firstLine(c.message)),
    c.author ? h('div', { class: 'sub' }, 'by ', c.author) : null,
  ];
}

// mark records, once per page load, when the overview reached a stage
// (User Timing: read by bench/ui, visible in the browser's profiler).
function mark(name) {
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
}

function haystack(a) {
  const s = a.status;
  const c = s.commit || {};
  return [a.name, a.path, a.target, a.source, s.revision, c.message, c.author].join('\n').toLowerCase();
}

function rank(a) {
  const s = a.status;
  return (s.sync === 'Failed' || s.health === 'Degraded' ? 8 : 0) + (s.lastError ? 4 : 0) +
    ((s.drift || []).length ? 2 : 0) + (s.sync === 'OutOfSync' || s.health === 'Progressing' ? 1 : 0);
}

function clearOf(change) {
  return Object.fromEntries(Object.keys(change).map((k) => [k, k === 'drift' ? false : '']));
}

function field(id, label, control, cls) {
  return h('div', { class: 'field' + (cls ? ' ' + cls : '') }, h('label', { for: id }, label), control);
}

function select(id, values, current, emptyLabel, onchange, labels = {}) {
  const el = h('select', { id, onchange: () => onchange(el.value) },
    values.map((v) => h('option', { value: v }, v === '' ? emptyLabel : labels[v] || v)));
  el.value = current;
  return el;
}

function debounce(fn, ms) {
  let t;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}
