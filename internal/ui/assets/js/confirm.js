// Confirmation before every action: a modal <dialog> (focus is trapped
// and restored by the browser; Escape cancels).
import { h } from './dom.js';

/**
 * confirmAction asks the user; it resolves true when they confirm.
 * {title, body: node or text, action: button label, danger: bool}
 */
export function confirmAction({ title, body, action, danger }) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'submit', value: 'cancel', class: 'btn', autofocus: true }, 'Cancel');
    const ok = h('button', { type: 'submit', value: 'ok', class: danger ? 'btn danger' : 'btn primary', 'data-confirm': 'ok' }, action);
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'confirm-title' }, title),
        h('div', { class: 'confirm-body' }, body),
        h('div', { class: 'confirm-buttons' }, cancel, ok)));
    dlg.addEventListener('close', () => {
      resolve(dlg.returnValue === 'ok');
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
    cancel.focus();
  });
}
