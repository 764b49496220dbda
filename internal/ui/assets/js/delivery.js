// The delivery page: the four DORA measures (GET /api/v1/dora) over a
// chosen window, overall and per app, with charts comparing apps.
import * as api from './api.js';
import { h, fill } from './dom.js';
import { duration, percent, count, plural } from './format.js';
import { bars, columns } from './charts.js';

const WINDOWS = ['1d', '7d', '14d', '30d', '90d', '180d', '365d'];
const TOP = 15;
const TABLE_PAGE = 50;

/** render draws the delivery page. */
export function render(root, ctx) {
  document.title = 'Delivery · plumb';
  const q = new URLSearchParams(location.search);
  const st = { window: WINDOWS.includes(q.get('window')) ? q.get('window') : '30d', app: q.get('app') || '' };
  const windowSel = h('select', { id: 'd-window', onchange: () => set({ window: windowSel.value }) },
    WINDOWS.map((w) => h('option', { value: w }, `last ${w.replace('d', ' days').replace(/^1 days/, '24 hours')}`)));
  windowSel.value = st.window;
  const appInput = h('input', { id: 'd-app', type: 'search', list: 'd-apps', value: st.app, placeholder: 'all apps' });
  const datalist = h('datalist', { id: 'd-apps' });
  const out = h('div', { id: 'delivery-body', 'aria-live': 'polite' });
  fill(root,
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, 'Delivery'),
      h('p', { class: 'muted' }, 'DORA measures from sync history: how often changes ship, how long a commit takes to go live, how often a deployment fails, and how long it takes to recover.')),
    h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); set({ app: appInput.value.trim() }); } },
      h('div', { class: 'field' }, h('label', { for: 'd-window' }, 'Window'), windowSel),
      h('div', { class: 'field grow' }, h('label', { for: 'd-app' }, 'App'), appInput, datalist),
      h('div', { class: 'field end' }, h('button', { type: 'submit', class: 'btn primary' }, 'Show')),
      st.app ? h('div', { class: 'field end' }, h('button', { type: 'button', class: 'btn', onclick: () => set({ app: '' }) }, 'All apps')) : null),
    out);
  let seq = 0;
  load();
  return () => { seq++; };

  function set(change) {
    Object.assign(st, change);
    const p = new URLSearchParams();
    if (st.window !== '30d') p.set('window', st.window);
    if (st.app) p.set('app', st.app);
    ctx.navigate('/delivery' + (p.toString() ? '?' + p : ''), { replace: true });
  }

  async function load() {
    const mine = ++seq;
    fill(out, h('p', { class: 'muted' }, 'Measuring…'));
    try {
      const overall = await api.get(`/api/v1/dora?window=${st.window}`);
      if (mine !== seq) return;
      fill(datalist, overall.apps.map((a) => h('option', { value: a.app })));
      if (!st.app) return drawOverall(overall);
      const [mineApp, hist] = await Promise.all([
        api.get(`/api/v1/dora?window=${st.window}&app=${api.enc(st.app)}`),
        api.get(`/api/v1/apps/${api.enc(st.app)}/history?limit=500`).catch(() => []),
      ]);
      if (mine === seq) drawApp(mineApp, overall, hist);
    } catch (err) {
      if (mine === seq && err.status !== 401) fill(out, h('p', { class: 'form-error', role: 'alert' }, 'Could not measure delivery: ' + err.message));
    }
  }

  function drawOverall(rep) {
    const o = rep.overall;
    const apps = rep.apps;
    const by = (f) => apps.filter((a) => f(a) > 0).sort((a, b) => f(b) - f(a)).slice(0, TOP);
    const link = (a) => `/delivery?window=${st.window}&app=${api.enc(a.app)}`;
    fill(out,
      h('p', { class: 'muted', id: 'window-note' }, windowNote(rep), ` · ${plural(apps.length, 'app')} with syncs`),
      cards(o),
      h('div', { class: 'chart-grid' },
        chartCard('Deployment frequency by app', 'deployments per day', bars({
          title: 'Deployments per day, by app (top 15)', ref: { value: o.deploymentsPerDay / Math.max(apps.length, 1), label: 'average app' },
          rows: by((a) => a.deploymentsPerDay).map((a) => ({ label: a.app, value: a.deploymentsPerDay, text: perDay(a.deploymentsPerDay), href: link(a), tone: 'info' })),
        })),
        chartCard('Lead time for changes by app', 'median, slowest first', bars({
          title: 'Median lead time for changes, by app (slowest 15)', ref: o.leadTime.samples ? { value: o.leadTime.medianSeconds, label: 'overall median' } : null,
          rows: by((a) => a.leadTime.medianSeconds).map((a) => ({ label: a.app, value: a.leadTime.medianSeconds, text: duration(a.leadTime.medianSeconds * 1000), href: link(a), tone: 'info' })),
        })),
        chartCard('Change failure rate by app', 'failed / attempted deployments', bars({
          title: 'Change failure rate, by app (highest 15)', ref: o.deploymentAttempts ? { value: o.changeFailureRate, label: 'overall' } : null,
          rows: by((a) => a.changeFailureRate).map((a) => ({ label: a.app, value: a.changeFailureRate, text: `${percent(a.changeFailureRate)} (${a.failedDeployments}/${a.deploymentAttempts})`, href: link(a), tone: 'bad' })),
          empty: 'No failed deployment in this window.',
        })),
        chartCard('Time to restore by app', 'median, slowest first', bars({
          title: 'Median time to restore, by app (slowest 15)', ref: o.timeToRestore.samples ? { value: o.timeToRestore.medianSeconds, label: 'overall median' } : null,
          rows: by((a) => a.timeToRestore.medianSeconds).map((a) => ({ label: a.app, value: a.timeToRestore.medianSeconds, text: duration(a.timeToRestore.medianSeconds * 1000), href: link(a), tone: 'warn' })),
          empty: 'No incident restored in this window.',
        }))),
      appTable(apps, link));
  }

  function drawApp(rep, overall, hist) {
    const a = rep.apps[0] || { app: st.app, deployments: 0, deploymentsPerDay: 0, leadTime: {}, deploymentAttempts: 0, failedDeployments: 0, changeFailureRate: 0, timeToRestore: {}, unrestored: 0 };
    const o = overall.overall;
    const from = Date.parse(rep.from);
    const recs = hist.filter((r) => Date.parse(r.startedAt) >= from);
    fill(out,
      h('h2', {}, h('a', { href: `/apps/${api.enc(st.app)}` }, st.app)),
      h('p', { class: 'muted', id: 'window-note' }, windowNote(rep)),
      cards(a),
      h('div', { class: 'chart-grid' },
        chartCard('Sync activity', `each day of the window (${plural(recs.length, 'sync')})`, activity(recs, rep)),
        chartCard(`${st.app} against all apps`, 'this app and the value over every app', h('div', {},
          compare('Deployment frequency', [a.deploymentsPerDay, o.deploymentsPerDay], perDay, 'info'),
          compare('Median lead time', [a.leadTime.medianSeconds || 0, o.leadTime.medianSeconds || 0], (v) => (v ? duration(v * 1000) : '—'), 'info'),
          compare('Change failure rate', [a.changeFailureRate, o.changeFailureRate], percent, 'bad'),
          compare('Median time to restore', [(a.timeToRestore || {}).medianSeconds || 0, o.timeToRestore.medianSeconds || 0], (v) => (v ? duration(v * 1000) : '—'), 'warn')))));

    function compare(title, [mine, all], fmt, tone) {
      return h('div', { class: 'compare' }, h('h3', {}, title),
        bars({ title: `${title}: ${st.app} ${fmt(mine)}, all apps ${fmt(all)}`, rows: [
          { label: st.app, value: mine, text: fmt(mine), tone }, { label: 'all apps', value: all, text: fmt(all) }] }));
    }
  }
}

function windowNote(rep) {
  return `From ${new Date(rep.from).toLocaleString()} to ${new Date(rep.to).toLocaleString()} (${count(Math.round(rep.days * 10) / 10)} days)`;
}

function perDay(v) {
  if (!v) return '0';
  return v >= 1 ? `${v.toFixed(1)}/day` : `${(v * 7).toFixed(1)}/week`;
}

function cards(m) {
  const lead = m.leadTime || {};
  const ttr = m.timeToRestore || {};
  return h('div', { class: 'metrics', id: 'dora-cards' },
    card('Deployment frequency', perDay(m.deploymentsPerDay), plural(m.deployments, 'deployment')),
    card('Lead time for changes', lead.samples ? duration(lead.medianSeconds * 1000) : '—',
      lead.samples ? `median of ${plural(lead.samples, 'change')} · p90 ${duration(lead.p90Seconds * 1000)}` : 'no change deployed'),
    card('Change failure rate', m.deploymentAttempts ? percent(m.changeFailureRate) : '—',
      `${count(m.failedDeployments)} failed of ${plural(m.deploymentAttempts, 'attempt')}`),
    card('Time to restore', ttr.samples ? duration(ttr.medianSeconds * 1000) : '—',
      (ttr.samples ? `median of ${plural(ttr.samples, 'incident')} · p90 ${duration(ttr.p90Seconds * 1000)}` : 'no incident restored') +
      (m.unrestored ? ` · ${count(m.unrestored)} still open` : '')));
}

function card(title, value, sub) {
  return h('section', { class: 'metric card', 'aria-label': title },
    h('h2', {}, title), h('p', { class: 'value' }, value), h('p', { class: 'muted' }, sub));
}

function chartCard(title, sub, chart) {
  return h('section', { class: 'card chart-card' }, h('h2', {}, title), h('p', { class: 'muted' }, sub), chart);
}

// activity counts the app's syncs per local calendar day of the window.
function activity(recs, rep) {
  const first = new Date(rep.from);
  first.setHours(0, 0, 0, 0);
  const days = [];
  const index = new Map();
  for (const d = new Date(first); d <= new Date(rep.to) && days.length < 367; d.setDate(d.getDate() + 1)) {
    index.set(d.toDateString(), days.length);
    days.push({ label: `${d.getMonth() + 1}/${d.getDate()}`, ok: 0, bad: 0, other: 0 });
  }
  for (const r of recs) {
    const i = index.get(new Date(r.startedAt).toDateString());
    if (i === undefined) continue;
    if (r.result === 'failed' || r.health === 'Degraded') days[i].bad++;
    else if (r.result === 'succeeded' && (r.actions || []).some((x) => x.type !== 'unchanged')) days[i].ok++;
    else days[i].other++;
  }
  return columns({
    title: 'Syncs per day: changes applied, failures, and syncs that changed nothing',
    days: days.map((d) => ({ label: d.label, parts: [
      { value: d.ok, tone: 'ok', name: 'applied changes' }, { value: d.bad, tone: 'bad', name: 'failed' }, { value: d.other, tone: 'neutral', name: 'no change' }] })),
    legend: [['ok', 'applied changes'], ['bad', 'failed or degraded'], ['neutral', 'no change']],
  });
}

function appTable(apps, link) {
  let shown = TABLE_PAGE;
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'btn', onclick: () => { shown = apps.length; draw(); } });
  const draw = () => {
    fill(tbody, apps.slice(0, shown).map((a) => h('tr', {},
      h('th', { scope: 'row', 'data-label': 'App' }, h('a', { href: link(a) }, a.app)),
      h('td', { 'data-label': 'Deployments' }, count(a.deployments)),
      h('td', { 'data-label': 'Frequency' }, perDay(a.deploymentsPerDay)),
      h('td', { 'data-label': 'Lead time (median / p90)' }, a.leadTime.samples ? `${duration(a.leadTime.medianSeconds * 1000)} / ${duration(a.leadTime.p90Seconds * 1000)}` : '—'),
      h('td', { 'data-label': 'Change failure rate' }, a.deploymentAttempts ? `${percent(a.changeFailureRate)} (${a.failedDeployments}/${a.deploymentAttempts})` : '—'),
      h('td', { 'data-label': 'Time to restore' }, a.timeToRestore.samples ? duration(a.timeToRestore.medianSeconds * 1000) : '—'),
      h('td', { 'data-label': 'Open incidents' }, count(a.unrestored)))));
    more.hidden = shown >= apps.length;
    more.textContent = `Show all ${count(apps.length)} apps`;
  };
  draw();
  return h('section', { class: 'card' }, h('h2', {}, 'All apps'),
    apps.length ? [h('div', { class: 'table-wrap' }, h('table', { class: 'dora', id: 'dora-table' },
      h('caption', { class: 'sr-only' }, 'DORA measures per app'),
      h('thead', {}, h('tr', {}, ['App', 'Deployments', 'Frequency', 'Lead time (median / p90)', 'Change failure rate', 'Time to restore', 'Open incidents'].map((c) => h('th', { scope: 'col' }, c)))),
      tbody)), more] : h('p', { class: 'muted' }, 'No app synced in this window.'));
}


