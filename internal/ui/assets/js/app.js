// The app page: status, actions (for roles that may use them), and tabs
// for resources, the current diff, sync history and events. The page
// follows the event stream: the header, history and events update live.
import * as api from './api.js';
import * as live from './live.js';
import { h, fill, timeEl } from './dom.js';
import { ago, short, plural } from './format.js';
import { badge } from './status.js';
import { anyMatch } from './glob.js';
import { confirmAction } from './confirm.js';
import { revision } from './overview.js';
import { resourcesPanel, diffPanel } from './resources.js';
import { historyPanel, eventsPanel } from './history.js';

const ROLES = { viewer: 1, operator: 2, admin: 3 };
const TABS = [
  ['resources', 'Resources', resourcesPanel],
  ['diff', 'Diff', diffPanel],
  ['history', 'History', historyPanel],
  ['events', 'Events', eventsPanel],
];

/** canAct reports whether the signed-in caller may sync, roll back, suspend and resume app. */
export function canAct(me, app) {
  return Boolean(me) && (ROLES[me.role] || 0) >= ROLES.operator && anyMatch(me.apps, app);
}

/** render draws the page of the app named name. */
export function render(root, ctx, name) {
  document.title = `${name} · plumb`;
  const page = { name, app: null, ctx, can: canAct(ctx.me, name), act, reloadApp };
  const badges = h('div', { class: 'badges', id: 'app-badges' });
  const actions = h('div', { class: 'actions', id: 'app-actions', role: 'group', 'aria-label': 'Actions' });
  const facts = h('dl', { class: 'facts', id: 'app-facts' });
  const result = h('div', { id: 'action-result', role: 'status', 'aria-live': 'polite' });
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'App details' });
  const panels = h('div', { class: 'panels' });
  fill(root,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/' }, 'Apps'), h('span', { 'aria-hidden': 'true' }, ' › '), name),
    h('div', { class: 'page-head app-head' }, h('h1', { tabindex: '-1' }, name), badges, actions),
    result,
    h('section', { class: 'card', 'aria-label': 'Status' }, facts),
    tablist, panels);

  const tabs = TABS.map(([id, label, make]) => {
    const panel = h('section', { id: `panel-${id}`, role: 'tabpanel', 'aria-labelledby': `tab-${id}`, class: 'panel', hidden: true, tabindex: '0' });
    const button = h('button', { id: `tab-${id}`, type: 'button', role: 'tab', 'aria-controls': `panel-${id}`, 'aria-selected': 'false', tabindex: '-1', onclick: () => select(id, true), onkeydown: keys });
    button.textContent = label;
    tablist.append(button);
    panels.append(panel);
    return { id, button, panel, make, view: null };
  });
  const wanted = location.hash.slice(1);
  select(TABS.some(([id]) => id === wanted) ? wanted : 'resources', false);

  reloadApp();
  let timer = null;
  const off = live.subscribe((ev) => {
    if (ev.type !== 'resync' && ev.app && ev.app !== name) return;
    if (ev.type !== 'resync' && !ev.app && ev.type !== 'config.applied') return;
    for (const t of tabs) if (t.view && t.view.onEvent) t.view.onEvent(ev);
    clearTimeout(timer);
    timer = setTimeout(reloadApp, 250);
  });
  const tick = setInterval(() => page.app && drawFacts(), 30000);
  return () => { off(); clearTimeout(timer); clearInterval(tick); for (const t of tabs) if (t.view && t.view.stop) t.view.stop(); };

  function select(id, focus) {
    for (const t of tabs) {
      const on = t.id === id;
      t.button.setAttribute('aria-selected', String(on));
      t.button.tabIndex = on ? 0 : -1;
      t.panel.hidden = !on;
      if (on && !t.view) t.view = t.make(t.panel, page);
      if (on && focus) t.button.focus();
    }
    if (focus) history.replaceState(null, '', `${location.pathname}${location.search}#${id}`);
  }

  function keys(e) {
    const i = tabs.findIndex((t) => t.button === e.currentTarget);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length].id, true);
  }

  async function reloadApp() {
    try {
      page.app = await api.get(`/api/v1/apps/${api.enc(name)}`);
    } catch (err) {
      if (err.status === 401) return;
      const why = { 404: `There is no app named ${name}.`, 403: `You may not read ${name}: ${err.message}.` }[err.status];
      fill(facts, h('p', { class: 'form-error wide', role: 'alert' }, why || 'Could not load the app: ' + err.message));
      if (why) {
        tablist.hidden = true;
        panels.hidden = true;
      }
      return;
    }
    drawBadges();
    drawActions();
    drawFacts();
  }

  function drawBadges() {
    const s = page.app.status;
    const drift = s.drift || [];
    fill(badges,
      h('span', { class: 'labelled', id: 'app-sync' }, h('span', { class: 'k' }, 'Sync'), badge(s.sync)),
      h('span', { class: 'labelled', id: 'app-health' }, h('span', { class: 'k' }, 'Health'), badge(s.health, { title: s.healthMessage })),
      drift.length ? h('span', { class: 'labelled', id: 'app-drift' }, h('span', { class: 'k' }, 'Drift'), badge('drifted', { label: plural(drift.length, 'object') + ' drifted' })) : null,
      page.app.suspend ? badge('Suspended') : null,
      s.pinnedRevision ? badge('Pinned', { label: `Pinned to ${short(s.pinnedRevision)}` }) : null);
  }

  function drawActions() {
    const a = page.app;
    const paused = a.suspend || a.status.pinnedRevision;
    // Redraw only when the buttons change, so that live updates keep focus.
    const key = JSON.stringify([page.can, a.suspend, a.status.pinnedRevision || '']);
    if (actions.dataset.key === key) return;
    actions.dataset.key = key;
    if (!page.can) {
      fill(actions);
      return;
    }
    fill(actions,
      h('button', { type: 'button', class: 'btn primary', id: 'act-sync', disabled: a.suspend, title: a.suspend ? 'Resume the app to sync it' : null,
        onclick: () => act('sync', { title: `Sync ${name} now?`, body: 'plumb fetches nothing new: it applies the app\'s current revision to its target and records the result.', action: 'Sync now' }) }, 'Sync now'),
      paused ?
        h('button', { type: 'button', class: 'btn', id: 'act-resume',
          onclick: () => act('resume', { title: `Resume ${name}?`, body: a.status.pinnedRevision ? `This clears the rollback pin (${short(a.status.pinnedRevision)}) and goes back to the newest revision of its source.` : 'plumb syncs it again automatically.', action: 'Resume' }) }, 'Resume') :
        h('button', { type: 'button', class: 'btn', id: 'act-suspend',
          onclick: () => act('suspend', { title: `Suspend ${name}?`, body: 'plumb stops syncing it (new commits and drift are not applied) until it is resumed.', action: 'Suspend', danger: true }) }, 'Suspend'));
  }

  function drawFacts() {
    const a = page.app;
    const s = a.status;
    const drift = s.drift || [];
    const rows = [
      ['Revision', revision(s)],
      s.commit && s.commit.time ? ['Committed', timeEl(s.commit.time, ago(s.commit.time))] : null,
      s.sourceRevision && s.sourceRevision !== s.revision ? ['Newest in source', h('code', { class: 'sha', title: s.sourceRevision }, short(s.sourceRevision))] : null,
      ['Last sync', timeEl(s.lastSyncAt, ago(s.lastSyncAt))],
      ['Source', `${a.source} · ${a.path || '/'}`],
      ['Target', a.target],
      ['Policy', [a.selfHeal ? 'self-heal' : 'no self-heal', a.prune ? 'prune' : 'no prune', a.interval ? `every ${a.interval}` : null].filter(Boolean).join(' · ')],
      a.dependsOn && a.dependsOn.length ? ['Depends on', a.dependsOn.map((d, i) => [i ? ', ' : '', h('a', { href: `/apps/${api.enc(d)}` }, d)])] : null,
      s.healthMessage ? ['Health detail', s.healthMessage] : null,
      s.suspendReason ? ['Suspended', s.suspendReason] : null,
      s.lastError ? ['Last error', h('span', { class: 'err' }, s.lastError)] : null,
      drift.length ? ['Drift', h('ul', { class: 'drift-list', id: 'drift-list' }, drift.map((d) => h('li', {}, h('code', {}, d.object), d.detail ? ': ' + d.detail : '')))] : null,
    ].filter(Boolean);
    fill(facts, rows.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
  }

  /** act confirms and runs an action, then says how it went. */
  async function act(verb, question, body) {
    if (!(await confirmAction(question))) return;
    const buttons = [...root.querySelectorAll('button.btn')].filter((b) => !b.disabled && b.closest('#app-actions, .history'));
    for (const b of buttons) b.disabled = true;
    showResult('info', `${verb[0].toUpperCase() + verb.slice(1)} of ${name} running…`);
    try {
      const res = await api.post(`/api/v1/apps/${api.enc(name)}/${verb}`, body);
      if (res && res.record) {
        const r = res.record;
        const changed = (r.actions || []).filter((x) => x.type !== 'unchanged').length;
        showResult(res.error ? 'bad' : 'ok', res.error ? `${verb} failed: ${res.error}` : `${verb} ${r.result}: ${plural(changed, 'change')} at ${short(r.revision)}.`);
      } else {
        showResult('ok', verb === 'suspend' ? `${name} is suspended.` : `${name} is resumed.`);
      }
    } catch (err) {
      showResult('bad', `${verb} refused: ${err.message}`);
    } finally {
      for (const b of buttons) b.disabled = false;
      await reloadApp();
      for (const t of tabs) if (t.view && t.view.reload) t.view.reload();
    }
  }

  function showResult(tone, text) {
    fill(result, h('p', { class: `banner ${tone}` }, text));
    ctx.announce(text);
  }
}
