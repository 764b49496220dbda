// The dashboard's entry point: who is signed in, the header, and a small
// router over history.pushState (pages: apps, app, delivery, login).
import * as api from './api.js';
import * as live from './live.js';
import { h, fill } from './dom.js';
import * as overview from './overview.js';
import * as appPage from './app.js';
import * as delivery from './delivery.js';
import * as login from './login.js';

const routes = [
  { re: /^\/$/, page: overview, nav: 'apps' },
  { re: /^\/apps\/([^/]+)$/, page: appPage, nav: 'apps' },
  { re: /^\/delivery$/, page: delivery, nav: 'delivery' },
  { re: /^\/login$/, page: login, nav: '' },
];

const main = document.getElementById('main');
const ctx = {
  me: null,
  loginNotice: '',
  navigate,
  signedIn(me, next) {
    ctx.me = me;
    drawHeader();
    navigate(safePath(next), { replace: true });
  },
  announce(msg) {
    const el = document.getElementById('announce');
    el.textContent = '';
    setTimeout(() => { el.textContent = msg; }, 50);
  },
};
let cleanup = () => {};
let offState = () => {};
let firstRender = true;

/** navigate shows path; replace rewrites the history entry instead of adding one. */
function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route();
}

function safePath(p) {
  return typeof p === 'string' && p.startsWith('/') && !p.startsWith('//') && !p.startsWith('/login') ? p : '/';
}

function route() {
  cleanup();
  cleanup = () => {};
  const path = location.pathname;
  if (!ctx.me && path !== '/login') {
    history.replaceState(null, '', '/login?next=' + encodeURIComponent(path + location.search + location.hash));
    return route();
  }
  if (ctx.me && path === '/login') {
    history.replaceState(null, '', '/');
    return route();
  }
  const r = routes.find((x) => x.re.test(path));
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === r?.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  if (!r) {
    document.title = 'Not found · plumb';
    fill(main, h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '/' }, 'See all apps.')));
    return;
  }
  const args = path.match(r.re).slice(1).map(decodeURIComponent);
  cleanup = r.page.render(main, ctx, ...args) || (() => {});
  if (!firstRender) {
    const h1 = main.querySelector('h1');
    if (h1) h1.focus({ preventScroll: false });
  }
  firstRender = false;
}

function drawHeader() {
  const who = document.getElementById('who');
  const banner = document.getElementById('banner');
  banner.replaceChildren();
  document.body.classList.toggle('signed-in', Boolean(ctx.me));
  if (!ctx.me) {
    who.replaceChildren();
    return;
  }
  const me = ctx.me;
  const scope = me.apps && me.apps.length ? ` · apps ${me.apps.join(', ')}` : '';
  fill(who,
    h('span', { class: 'live', id: 'live-state', role: 'status' }),
    h('span', { class: 'me', id: 'me', 'data-role': me.role }, h('span', { class: 'me-name' }, me.name), ` (${me.role}${scope})`),
    me.local ? null : h('button', { class: 'btn small', type: 'button', id: 'signout', onclick: signOut }, 'Sign out'));
  if (me.local) {
    fill(banner, h('p', { class: 'banner warn', id: 'local-banner' },
      h('strong', {}, 'Local admin mode. '),
      'This daemon has no API tokens yet, so anyone on this machine is admin and no sign-in is needed. ',
      'Create one to require sign-in: ', h('code', {}, 'plumb token create NAME --role admin --local')));
  }
  offState();
  offState = live.onState((s) => {
    // A stream refused for good may mean the session ended: any API call
    // then answers 401 and the unauthorized handler signs out.
    if (s === 'offline' && ctx.me) api.get('/api/v1/whoami').catch(() => {});
    const el = document.getElementById('live-state');
    if (!el) return;
    el.dataset.state = s;
    el.textContent = { live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline', off: '' }[s];
  });
}

async function signOut() {
  try {
    await api.call('POST', '/ui/logout', undefined, { quiet401: true });
  } catch (err) {
    ctx.announce('Sign-out failed: ' + err.message);
    return;
  }
  ctx.me = null;
  live.stop();
  drawHeader();
  ctx.loginNotice = 'You are signed out.';
  navigate('/login', { replace: true });
}

api.setUnauthorizedHandler((err) => {
  if (!ctx.me) return;
  ctx.me = null;
  live.stop();
  drawHeader();
  ctx.loginNotice = 'Your session ended: ' + err.message + '. Sign in again.';
  navigate('/login?next=' + encodeURIComponent(location.pathname + location.search + location.hash), { replace: true });
});

// Internal links navigate without reloading.
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || a.target || url.pathname.startsWith('/api/') || url.pathname.startsWith('/ui/')) return;
  e.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
});
window.addEventListener('popstate', route);

async function boot() {
  try {
    ctx.me = await api.call('GET', '/api/v1/whoami', undefined, { quiet401: true });
  } catch (err) {
    ctx.me = null;
    if (err.status !== 401) {
      fill(main, h('h1', { tabindex: '-1' }, 'plumb is unreachable'), h('p', { class: 'form-error', role: 'alert' }, err.message),
        h('button', { class: 'btn', type: 'button', onclick: boot }, 'Try again'));
      return;
    }
  }
  drawHeader();
  route();
}

boot();
