// The app page's History and Events tabs. History is paged from the
// newest sync back ("Load older"); events are read once, then appended
// from the live stream as they happen.
import * as api from './api.js';
import { h, fill, timeEl, keepFocus } from './dom.js';
import { ago, short, firstLine, duration, between, plural } from './format.js';
import { badge, eventTone } from './status.js';

const PAGE = 20;

/** historyPanel lists syncs: why, what, by whom, how long, how it ended. */
export function historyPanel(panel, page) {
  let records = [];
  let more = false;
  let timer = null;
  const list = h('ol', { class: 'history', id: 'history-list' });
  const older = h('button', { type: 'button', class: 'btn', onclick: () => load(true) }, 'Load older');
  fill(panel, h('h2', { class: 'panel-title' }, 'Sync history'), list, older);
  load(false);
  return {
    reload: () => load(false),
    onEvent(ev) {
      if (!/^(sync\.|drift\.corrected|app\.rollback|resync)/.test(ev.type)) return;
      clearTimeout(timer);
      timer = setTimeout(() => load(false), 400);
    },
    stop() { clearTimeout(timer); },
  };

  async function load(append) {
    const limit = append ? PAGE : Math.max(PAGE, records.length);
    const before = append && records.length ? `&before=${records[records.length - 1].id}` : '';
    try {
      const got = await api.get(`/api/v1/apps/${api.enc(page.name)}/history?limit=${limit}${before}`);
      records = append ? records.concat(got) : got;
      more = got.length === limit;
    } catch (err) {
      if (err.status !== 401) fill(list, h('li', { class: 'form-error', role: 'alert' }, err.message));
      return;
    }
    draw();
  }

  function draw() {
    const current = page.app && page.app.status.revision;
    keepFocus(list, () => fill(list, records.length ? records.map((r) => entry(r, current)) : h('li', { class: 'muted' }, 'No syncs yet.')));
    older.hidden = !more;
  }

  function entry(r, current) {
    const c = r.commit || {};
    const took = between(r.startedAt, r.finishedAt);
    const acts = (r.actions || []).filter((a) => a.type !== 'unchanged');
    const hooks = r.hooks || [];
    const canRollback = page.can && r.result === 'succeeded' && r.revision && r.revision !== current;
    return h('li', { class: 'sync', 'data-id': r.id, 'data-result': r.result },
      h('div', { class: 'sync-head' },
        badge(r.result),
        h('code', { class: 'sha', title: r.revision || '' }, short(r.revision) || '—'),
        h('span', { class: 'msg' }, firstLine(c.message)),
        c.author ? h('span', { class: 'muted' }, 'by ', c.author) : null,
        h('span', { class: 'spacer' }),
        timeEl(r.startedAt, ago(r.startedAt)),
        h('span', { class: 'muted' }, took != null ? `took ${duration(took)}` : 'running')),
      h('dl', { class: 'sync-facts' },
        fact('Trigger', r.trigger + (r.actor ? ` by ${r.actor}` : '')),
        r.reason ? fact('Reason', r.reason) : null,
        r.health ? fact('Health', badge(r.health)) : null,
        fact('Changes', acts.length ? plural(acts.length, 'change') : 'none')),
      r.error ? h('pre', { class: 'err-out' }, r.error) : null,
      acts.length || hooks.length ? h('details', {},
        h('summary', {}, [acts.length ? plural(acts.length, 'action') : null, hooks.length ? plural(hooks.length, 'hook') : null].filter(Boolean).join(' · ')),
        acts.length ? h('ul', { class: 'actions-list' }, acts.map((a) => h('li', {},
          badge(a.type, { t: a.error ? 'bad' : { create: 'ok', update: 'warn', delete: 'bad' }[a.type] }), ' ', h('code', {}, a.object), ' — ', a.reason,
          a.detail ? h('span', { class: 'muted' }, ` (${a.detail})`) : null,
          a.error ? h('div', { class: 'err' }, a.error) : null))) : null,
        hooks.map((k) => h('div', { class: 'hook' },
          h('p', {}, h('strong', {}, k.name), ' ', h('code', {}, k.command), ` · exit ${k.exitCode} · ${duration(k.duration / 1e6)}`),
          k.output ? h('pre', { class: 'hook-out', tabindex: '0' }, k.output) : null,
          k.error ? h('p', { class: 'err' }, k.error) : null))) : null,
      canRollback ? h('div', { class: 'row-actions' }, h('button', {
        type: 'button', class: 'btn small', 'data-rollback': r.revision,
        onclick: () => page.act('rollback', {
          title: `Roll ${page.name} back to ${short(r.revision)}?`,
          body: [h('p', {}, `plumb applies ${short(r.revision)} (“${firstLine(c.message)}”) and pins the app to it: new commits are not applied until you resume it.`)],
          action: `Roll back to ${short(r.revision)}`, danger: true,
        }, { revision: r.revision }),
      }, `Roll back to ${short(r.revision)}`)) : null);
  }
}

function fact(k, v) {
  return h('div', {}, h('dt', {}, k), h('dd', {}, v));
}

const EVENT_PAGE = 500;
const EVENT_PAGES = 20;
const EVENTS_SHOWN = 200;

/** eventsPanel lists the app's events, newest first, growing live. */
export function eventsPanel(panel, page) {
  let events = [];
  const list = h('ol', { class: 'events', id: 'events-list' });
  fill(panel, h('h2', { class: 'panel-title' }, 'Events'), h('p', { class: 'muted' }, 'Drift, syncs, health and actions on this app, newest first. New events appear as they happen.'), list);
  load();
  return {
    reload: load,
    onEvent(ev) {
      if (ev.type === 'resync') return load();
      if (!ev.id || events.some((e) => e.id === ev.id)) return;
      events.unshift(ev);
      events = events.slice(0, EVENTS_SHOWN);
      list.prepend(item(ev, true));
      if (list.children.length > EVENTS_SHOWN) list.lastElementChild.remove();
      const empty = list.querySelector('.empty');
      if (empty) empty.remove();
    },
  };

  // The API lists events oldest first: read forward to the newest ones.
  async function load() {
    let after = 0;
    let all = [];
    try {
      for (let i = 0; i < EVENT_PAGES; i++) {
        const got = await api.get(`/api/v1/apps/${api.enc(page.name)}/events?after=${after}&limit=${EVENT_PAGE}`);
        all = all.concat(got).slice(-EVENTS_SHOWN);
        if (got.length < EVENT_PAGE) break;
        after = got[got.length - 1].id;
      }
    } catch (err) {
      if (err.status !== 401) fill(list, h('li', { class: 'form-error', role: 'alert' }, err.message));
      return;
    }
    events = all.reverse();
    fill(list, events.length ? events.map((e) => item(e, false)) : h('li', { class: 'muted empty' }, 'No events yet.'));
  }
}

function item(e, fresh) {
  const detail = e.detail || {};
  const keys = Object.keys(detail).sort((a, b) => (a === 'object' ? -1 : b === 'object' ? 1 : a.localeCompare(b)));
  return h('li', { class: fresh ? 'event flash' : 'event', 'data-type': e.type, 'data-id': e.id },
    h('div', { class: 'event-head' }, badge(e.type, { t: eventTone(e.type) }), timeEl(e.time, ago(e.time)),
      e.revision ? h('code', { class: 'sha', title: e.revision }, short(e.revision)) : null),
    h('p', { class: 'event-msg' }, e.message),
    keys.length ? h('dl', { class: 'event-detail' }, keys.map((k) => h('div', {}, h('dt', {}, k), h('dd', {}, detail[k])))) : null);
}
