import { h, show, table, badge } from '../dom.js';
import { api } from '../api.js';
import { time } from '../format.js';
import { confirmDialog } from '../dialog.js';

export async function page(main, context) {
  const { data: keys } = await api('GET', '/admin/v1/keys', { signal: context.signal });
  const rotate = h('button', { type: 'button', id: 'rotate', disabled: !context.canWrite, onclick: () => rotateNow(false) },
    'Rotate now…');
  const emergency = h('button', { type: 'button', class: 'danger', id: 'rotate-compromised', disabled: !context.canWrite,
    onclick: () => rotateNow(true) }, 'Emergency rotation (key compromised)…');

  async function rotateNow(compromised) {
    if (!compromised) {
      const sure = await confirmDialog({
        title: 'Rotate the signing key now?',
        body: [h('p', {}, 'The next key takes over signing as soon as every gateway can know it: at once if it has been'
          + ' in the JWKS for the JWKS\'s max-age, else at that time (one is generated and published now if there is'
          + ' none). The current key then retires: tokens it signed stay valid until they expire, and it stays in the'
          + ' JWKS until then.'),
        h('p', {}, 'Gateways that honour the JWKS max-age, or refetch it on an unknown kid, notice nothing.')],
        confirmLabel: 'Rotate',
      });
      if (!sure) return;
    } else {
      const first = await confirmDialog({
        title: 'Emergency rotation',
        body: h('p', {}, 'Only for a private signing key that someone else may know. An ordinary rotation keeps every'
          + ' token valid; this one does not.'),
        confirmLabel: 'Continue',
        danger: true,
      });
      if (!first) return;
      const second = await confirmDialog({
        title: 'This breaks every token Ferry has issued',
        body: [
          h('p', {}, 'Every earlier key is deleted at once, and a new key signs.'),
          h('ul', {},
            h('li', {}, 'Every access token they signed stops validating at gateways as soon as they refetch the JWKS'
              + ' (within its max-age): CI jobs running now fail their next call and must exchange again.'),
            h('li', {}, 'Every admin token Ferry issued stops working at the admin API at once, this console\'s own if you'
              + ' signed in with your organisation\'s account: sign in again.'),
            h('li', {}, 'Introspection reports those tokens inactive.')),
        ],
        confirmLabel: 'Delete the old keys and rotate',
        danger: true,
        typeToConfirm: 'ROTATE',
      });
      if (!second) return;
    }
    try {
      const { data } = await api('POST', `/admin/v1/keys/rotate${compromised ? '?compromised=true' : ''}`);
      const active = data.find((k) => k.state === 'active');
      const next = data.find((k) => k.state === 'next' && k.signsFrom);
      let message;
      if (compromised) message = `Emergency rotation done: key ${active ? active.kid : ''} signs; every earlier key is deleted.`;
      else if (next) message = `Key ${next.kid} signs from ${new Date(next.signsFrom).toLocaleString()}, once gateways caching the JWKS know it.`;
      else message = `Rotated: key ${active ? active.kid : ''} signs now.`;
      context.navigate('#/keys', message);
    } catch (error) {
      context.notice(error.message, 'error');
    }
  }

  show(main,
    h('h1', {}, 'Signing keys'),
    h('p', { class: 'lead' }, 'The keys Ferry signs its tokens with, as gateways find them in ',
      h('a', { href: '/.well-known/jwks.json' }, '/.well-known/jwks.json'),
      '. next: published, not signing yet; active: signing; retired: published until every token it signed has expired.'),
    table('Signing keys', [
      ['Key id (kid)', (k) => h('code', {}, k.kid)],
      ['Algorithm', (k) => k.algorithm],
      ['State', (k) => badge(k.state, { active: 'ok', next: 'info', retired: 'off' }[k.state])],
      ['Created', (k) => time(k.createdAt)],
      ['Signs from', (k) => time(k.signsFrom)],
      ['Retired', (k) => time(k.retiredAt)],
      ['Leaves the JWKS', (k) => time(k.unpublishedAfter)],
    ], keys, { empty: 'No keys yet.' }),
    h('div', { class: 'actions' }, rotate, emergency));
}
