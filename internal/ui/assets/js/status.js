// Status badges: a colour AND a symbol AND the word, never colour alone.
import { h } from './dom.js';

const TONES = {
  Synced: 'ok', Healthy: 'ok', succeeded: 'ok',
  OutOfSync: 'warn', Missing: 'warn', interrupted: 'warn', drifted: 'warn',
  Progressing: 'info', Syncing: 'info', running: 'info',
  Failed: 'bad', Degraded: 'bad', failed: 'bad',
  Suspended: 'paused', Pinned: 'paused',
};

const ICONS = { ok: '✓', warn: '!', bad: '✕', info: '↻', paused: '⏸', neutral: '–' };

/** tone is the colour family of a status word. */
export function tone(value) {
  return TONES[value] || 'neutral';
}

/** badge shows a status word with its colour and symbol. */
export function badge(value, { label, title, t } = {}) {
  const tn = t || tone(value);
  return h('span', { class: `badge ${tn}`, title },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, ICONS[tn]), label || value || 'Unknown');
}

/** eventTone is the colour family of an event type. */
export function eventTone(type) {
  if (/failed|degraded/.test(type)) return 'bad';
  if (/drift\.detected|interrupted|waiting/.test(type)) return 'warn';
  if (/succeeded|recovered/.test(type)) return 'ok';
  if (/suspended|rollback/.test(type)) return 'paused';
  if (/corrected|resumed|revision|applied/.test(type)) return 'info';
  return 'neutral';
}
