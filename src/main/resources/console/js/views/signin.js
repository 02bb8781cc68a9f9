import { h, show, field } from '../dom.js';
import { api } from '../api.js';
import { session } from '../session.js';

/** Signing in: the organisation's OpenID provider (when configured) or a pasted admin token. */
export function signIn(main, context, failure, focus = true) {
  const { config } = context;
  const returnTo = location.hash && location.hash.startsWith('#/') ? location.hash : '#/issuers';
  const problem = h('div', { class: 'error', role: 'alert', id: 'sign-in-error', hidden: !failure });
  if (failure) showFailure(problem, failure);

  const tokenInput = h('input', {
    type: 'password', id: 'admin-token', name: 'admin-token', autocomplete: 'off', spellcheck: 'false', required: true,
  });
  const tokenForm = h('form', { class: 'card', 'aria-labelledby': 'with-token' },
    h('h2', { id: 'with-token' }, 'With an admin token'),
    field('Admin bearer token', tokenInput, {
      hint: `The bootstrap token (ferry.admin.bootstrap-token), or an access token Ferry issued for ${config.adminAudience}`
        + ' with scope ferry:admin or ferry:read. It stays in this browser tab (session storage) and is sent only to'
        + ' this Ferry; closing the tab signs you out.',
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'sign-in-token' }, 'Sign in')));
  tokenForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = tokenInput.value.trim();
    if (!token) return;
    problem.hidden = true;
    try {
      await api('GET', '/admin/v1/issuers', { token });
    } catch (error) {
      showFailure(problem, error);
      tokenInput.focus();
      return;
    }
    session.start(token, 'token');
    tokenInput.value = '';
    context.signedIn(returnTo);
  });

  let providerSection = null;
  if (config.oidc) {
    const button = h('button', { type: 'button', class: 'primary', id: 'sign-in-oidc' },
      `Sign in with ${new URL(config.oidc.issuer).host}`);
    button.addEventListener('click', async () => {
      button.disabled = true;
      problem.hidden = true;
      try {
        await context.beginOidc(returnTo);
      } catch (error) {
        button.disabled = false;
        showFailure(problem, error);
      }
    });
    providerSection = h('section', { class: 'card', 'aria-labelledby': 'with-provider' },
      h('h2', { id: 'with-provider' }, 'With your organisation\'s account'),
      h('p', {}, `Signs you in at ${config.oidc.issuer}, then exchanges that sign-in at this Ferry for an admin token.`
        + ' Ferry\'s trust rules decide whether you get one.'),
      h('div', { class: 'actions' }, button));
  }

  show(main,
    h('h1', { tabindex: '-1' }, 'Sign in to Ferry'),
    h('p', { class: 'lead' }, 'The console manages this Ferry through its admin API, with your credentials.'),
    problem,
    h('div', { class: 'sign-in' }, providerSection, tokenForm));
  document.title = 'Sign in · Ferry console';
  const heading = main.querySelector('h1');
  if (heading && focus) heading.focus();
}

function showFailure(box, error) {
  show(box, h('p', {}, error.message),
    error.exchangeId ? h('p', {}, 'exchange_id: ', h('code', { id: 'sign-in-exchange-id' }, error.exchangeId)) : null);
  box.hidden = false;
}
