// One shared connection to the API's event stream (Server-Sent Events,
// authenticated by the session cookie). Pages subscribe to events; after
// a reconnect they get a {type: "resync"} event, since events may have
// been missed meanwhile.

// The event types the daemon sends (internal/engine/bus.go, notify).
const TYPES = [
  'sync.started', 'sync.succeeded', 'sync.failed', 'sync.skipped', 'drift.detected', 'drift.corrected',
  'health.degraded', 'health.recovered', 'source.failed', 'source.revision', 'config.applied',
  'config.failed', 'app.removed', 'app.rollback', 'app.suspended', 'app.resumed', 'app.waiting',
  'engine.interrupted', 'notify.failed',
];

const subscribers = new Set();
const watchers = new Set();
let source = null;
let state = 'off';
let wasLive = false;
let retry = null;

/** subscribe calls fn with every event; it returns the unsubscribe function. */
export function subscribe(fn) {
  subscribers.add(fn);
  if (!source && !retry) connect();
  return () => subscribers.delete(fn);
}

/** onState calls fn with the connection state: live, reconnecting, offline. */
export function onState(fn) {
  watchers.add(fn);
  fn(state);
  return () => watchers.delete(fn);
}

/** stop closes the stream (sign-out). */
export function stop() {
  clearTimeout(retry);
  retry = null;
  if (source) source.close();
  source = null;
  wasLive = false;
  setState('off');
}

function connect() {
  retry = null;
  source = new EventSource('/api/v1/stream', { withCredentials: true });
  source.onopen = () => {
    if (wasLive) deliver({ type: 'resync' });
    wasLive = true;
    setState('live');
  };
  source.onerror = () => {
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      setState('offline');
      retry = setTimeout(connect, 5000);
    } else {
      setState('reconnecting');
    }
  };
  const handle = (ev) => {
    let data;
    try { data = JSON.parse(ev.data); } catch { return; }
    deliver(data);
  };
  for (const t of TYPES) source.addEventListener(t, handle);
  source.onmessage = handle;
}

function deliver(ev) {
  for (const fn of [...subscribers]) {
    try { fn(ev); } catch (e) { console.error('live event handler', e); }
  }
}

function setState(s) {
  state = s;
  for (const fn of watchers) fn(s);
}
