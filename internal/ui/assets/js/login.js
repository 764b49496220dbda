// The sign-in page: a token is posted to /ui/login, which checks it and
// sets an HttpOnly session cookie. The token never stays in the page.
import { call } from './api.js';
import { h, fill } from './dom.js';

/** render draws the sign-in form; ctx.signedIn(identity) continues. */
export function render(root, ctx) {
  const params = new URLSearchParams(location.search);
  const input = h('input', {
    id: 'token', name: 'token', type: 'password', required: true, autocomplete: 'off', spellcheck: 'false',
    placeholder: 'plumb_…', 'aria-describedby': 'token-help login-error',
  });
  const error = h('p', { id: 'login-error', class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'btn primary' }, 'Sign in');
  const notice = ctx.loginNotice || params.get('why');
  ctx.loginNotice = '';
  const form = h('form', { class: 'login card', onsubmit: submit },
    h('h1', { tabindex: '-1' }, 'Sign in to plumb'),
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { id: 'token-help', class: 'help' },
      'Ask an admin for a token, or create one on the daemon\'s host: ',
      h('code', {}, 'plumb token create NAME --role viewer --local'),
      '. The token is kept in an HttpOnly cookie that scripts cannot read.'),
    error,
    button);
  fill(root, form);
  input.focus();

  async function submit(e) {
    e.preventDefault();
    error.textContent = '';
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      const me = await call('POST', '/ui/login', { token: input.value }, { quiet401: true });
      input.value = '';
      ctx.signedIn(me, params.get('next') || '/');
    } catch (err) {
      error.textContent = 'Sign-in failed: ' + err.message;
      input.select();
    } finally {
      button.disabled = false;
      button.textContent = 'Sign in';
    }
  }
  return () => {};
}
