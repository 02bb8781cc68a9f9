// The console's entry point: reads /console/config.json, completes an OpenID sign-in when this load
// is the provider's answer, and routes #/… addresses to views. Routes live in the fragment so that
// the server serves one page and a reload keeps the place.

import { h, show } from './dom.js';
import { onUnauthorized } from './api.js';
import { session } from './session.js';
import * as oidc from './oidc.js';
import { signIn } from './views/signin.js';
import * as issuers from './views/issuers.js';
import * as rules from './views/rules.js';
import * as explain from './views/explain.js';
import * as audit from './views/audit.js';
import * as keys from './views/keys.js';
import * as clients from './views/clients.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const announcer = document.getElementById('announcer');

const routes = [
  [/^\/issuers$/, 'issuers', issuers.list],
  [/^\/issuers\/new$/, 'issuers', issuers.create],
  [/^\/issuers\/([^/]+)$/, 'issuers', issuers.edit],
  [/^\/rules$/, 'rules', rules.list],
  [/^\/rules\/new$/, 'rules', rules.create],
  [/^\/rules\/([^/]+)$/, 'rules', rules.edit],
  [/^\/explain$/, 'explain', explain.form],
  [/^\/exchanges\/([^/]+)$/, 'audit', explain.exchange],
  [/^\/audit$/, 'audit', audit.list],
  [/^\/audit\/([^/]+)$/, 'audit', audit.event],
  [/^\/keys$/, 'keys', keys.page],
  [/^\/clients$/, 'clients', clients.page],
];

let config = null;
let current = { controller: new AbortController(), cleanups: [] };
let pendingMessage = null;
// The first page of a load leaves the focus where the browser puts it (before the skip link); every
// later navigation moves it to the new page's heading, so screen readers announce where they are.
let firstPage = true;

/** Says {@code message} to screen readers, through the polite live region. */
export function announce(message) {
  announcer.textContent = '';
  window.setTimeout(() => { announcer.textContent = message; }, 50);
}

export function navigate(hash, message) {
  pendingMessage = message || null;
  if (location.hash === hash) route();
  else location.hash = hash;
}

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/issuers';
  const at = raw.indexOf('?');
  const path = at < 0 ? raw : raw.slice(0, at);
  const parameters = new URLSearchParams(at < 0 ? '' : raw.slice(at + 1));
  return { path: path.replace(/\/+$/, '') || '/issuers', parameters };
}

async function route() {
  for (const cleanup of current.cleanups) cleanup();
  current.controller.abort();
  current = { controller: new AbortController(), cleanups: [] };
  const view = current;

  if (!session.current()) {
    showSession();
    signIn(main, context(view), null, !firstPage);
    firstPage = false;
    return;
  }
  showSession();
  const { path, parameters } = parseHash();
  const match = routes.map(([pattern, section, render]) => [pattern.exec(path), section, render]).find(([m]) => m);
  for (const link of nav.querySelectorAll('a')) {
    if (match && link.dataset.section === match[1]) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!match) {
    show(main, h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, 'The console has no page at this address. ',
      h('a', { href: '#/issuers' }, 'Go to the issuers.')));
    focusHeading();
    return;
  }
  const [found, , render] = match;
  const args = found.slice(1).map(decodeURIComponent);
  show(main, h('p', { class: 'loading' }, 'Loading…'));
  try {
    await render(main, context(view), parameters, ...args);
  } catch (error) {
    if (error.name === 'AbortError' || view !== current) return;
    show(main, h('h1', { tabindex: '-1' }, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, error.message));
  }
  if (view !== current) return;
  const title = main.querySelector('h1');
  document.title = title ? `${title.textContent} · Ferry console` : 'Ferry console';
  focusHeading();
  if (pendingMessage) {
    notice(pendingMessage);
    pendingMessage = null;
  }
}

function focusHeading() {
  if (firstPage) {
    firstPage = false;
    return;
  }
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

/** A dismissible notice at the top of the page, announced to screen readers. */
export function notice(message, kind = 'success') {
  const existing = main.querySelector(':scope > .notice');
  if (existing) existing.remove();
  const box = h('div', { class: ['notice', `notice-${kind}`], role: kind === 'error' ? 'alert' : 'status' },
    h('span', {}, message),
    h('button', { type: 'button', class: 'quiet', 'aria-label': 'Dismiss', onclick: () => box.remove() }, '×'));
  const heading = main.querySelector('h1');
  if (heading) heading.after(box);
  else main.prepend(box);
}

function context(view) {
  return {
    config,
    signal: view.controller.signal,
    onLeave: (cleanup) => view.cleanups.push(cleanup),
    isCurrent: () => view === current,
    navigate,
    announce,
    notice,
    canWrite: session.canWrite(),
    signedIn: (returnTo) => navigate(returnTo || '#/issuers'),
    beginOidc: (returnTo) => oidc.begin(config, returnTo),
  };
}

function showSession() {
  const current = session.current();
  nav.hidden = !current;
  const box = document.getElementById('session');
  box.hidden = !current;
  if (!current) return;
  const who = document.getElementById('who');
  const scope = current.scope ? ` · ${current.scope}` : '';
  const until = current.expiresAt
    ? ` · until ${new Date(current.expiresAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`
    : '';
  who.textContent = (current.subject ? `Signed in as ${current.subject}` : 'Signed in with an admin token') + scope + until;
}

async function start() {
  document.getElementById('sign-out').addEventListener('click', () => {
    session.clear();
    navigate('#/issuers');
    route();
  });
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  onUnauthorized(() => {
    session.clear();
    pendingMessage = null;
    route();
  });
  const response = await fetch('config.json', { credentials: 'omit', cache: 'no-store' });
  config = await response.json();
  window.addEventListener('hashchange', route);

  if (oidc.isCallback()) {
    show(main, h('p', { class: 'loading' }, 'Completing the sign-in…'));
    try {
      const returnTo = await oidc.complete(config);
      if (location.hash !== returnTo) {
        location.hash = returnTo;
        return;
      }
    } catch (error) {
      session.clear();
      signIn(main, context(current), error, true);
      showSession();
      return;
    }
  }
  await route();
}

start().catch((error) => {
  show(main, h('h1', {}, 'The console cannot start'), h('p', { class: 'error', role: 'alert' }, error.message));
});

