// Signing in with the organisation's OpenID provider: OAuth 2.0 authorization code with PKCE
// (RFC 7636, S256), state and nonce, the console being a public client (no secret). The ID token the
// provider gives is exchanged at Ferry's own /token (RFC 8693) for a Ferry admin token: who may
// administer Ferry is decided by Ferry's trust rules, like everything else. Only Ferry's token is kept.

import { jwtClaims, session } from './session.js';

const PENDING = 'ferry.console.oidc';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

export class SignInError extends Error {
  constructor(message, exchangeId) {
    super(message);
    this.exchangeId = exchangeId || null;
  }
}

/** Where the provider sends the browser back: this page, /console/ (register it at the provider). */
export function redirectUri() {
  return new URL('./', location.origin + location.pathname).href;
}

/** Goes to the provider's authorization endpoint; comes back to /console/?code=…&state=…. */
export async function begin(config, returnTo) {
  const provider = config.oidc;
  const discovery = await discover(provider.issuer);
  const state = randomText(32);
  const nonce = randomText(32);
  const verifier = randomText(48);
  const challenge = base64Url(new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({
    state, nonce, verifier, returnTo, redirectUri: redirectUri(), tokenEndpoint: discovery.token_endpoint,
  }));
  const authorize = new URL(discovery.authorization_endpoint);
  const parameters = new URLSearchParams({
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: redirectUri(),
    scope: provider.scopes.join(' '),
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  authorize.search = authorize.search ? `${authorize.search.slice(1)}&${parameters}` : parameters.toString();
  location.assign(authorize.href);
}

/** Whether this page load is the provider's answer. */
export function isCallback() {
  const parameters = new URLSearchParams(location.search);
  return parameters.has('state') && (parameters.has('code') || parameters.has('error'));
}

/**
 * Completes a sign-in: checks state, redeems the code with the PKCE verifier, checks the ID token's
 * nonce, issuer and audience, and exchanges it at /token. Returns the route to go back to.
 */
export async function complete(config) {
  const parameters = new URLSearchParams(location.search);
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING));
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(PENDING);
  // The code is single-use and bound to the verifier, but it has no business in the address bar; the
  // page the sign-in started from comes back, whatever the outcome.
  const returnTo = pending && typeof pending.returnTo === 'string' && pending.returnTo.startsWith('#/')
    ? pending.returnTo : '#/issuers';
  history.replaceState(null, '', location.pathname + returnTo);
  const provider = config.oidc;
  if (!provider) throw new SignInError('This Ferry has no OpenID provider configured (ferry.console.oidc.issuer).');
  if (!pending || parameters.get('state') !== pending.state) {
    throw new SignInError('This sign-in answer was not started from this tab (its state does not match). Sign in again.');
  }
  if (parameters.get('error')) {
    throw new SignInError(`The OpenID provider refused the sign-in: ${parameters.get('error')}`
      + (parameters.get('error_description') ? ` (${parameters.get('error_description')})` : ''));
  }
  if (parameters.has('iss') && parameters.get('iss') !== provider.issuer) {
    throw new SignInError(`The answer came from ${parameters.get('iss')}, not from ${provider.issuer} (RFC 9207).`);
  }
  const idToken = await redeem(provider, pending, parameters.get('code'));
  const claims = jwtClaims(idToken);
  const audiences = claims ? [claims.aud].flat() : [];
  if (!claims || claims.nonce !== pending.nonce) {
    throw new SignInError('The ID token does not carry the nonce of this sign-in. Sign in again.');
  }
  if (claims.iss !== provider.issuer || !audiences.includes(provider.clientId)) {
    throw new SignInError(`The ID token is from ${claims.iss} for ${audiences.join(', ')}, not from `
      + `${provider.issuer} for ${provider.clientId}.`);
  }
  let answer = await exchange(idToken, config.adminAudience, 'ferry:admin');
  if (answer.body.error === 'invalid_scope') answer = await exchange(idToken, config.adminAudience, 'ferry:read');
  if (!answer.ok) {
    throw new SignInError(`Ferry did not give you an admin token: ${answer.body.error || `HTTP ${answer.status}`}`
      + (answer.body.error_description ? ` (${answer.body.error_description})` : '')
      + '. An administrator can explain why from this exchange id.', answer.body.exchange_id);
  }
  session.start(answer.body.access_token, 'oidc', { expiresIn: answer.body.expires_in, scope: answer.body.scope });
  return returnTo;
}

async function discover(issuer) {
  let response;
  try {
    response = await fetch(`${issuer}/.well-known/openid-configuration`, { credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new SignInError(`The OpenID provider ${issuer} cannot be reached from this browser (or does not allow`
      + ' this origin: it must answer CORS requests from Ferry\'s origin).');
  }
  const discovery = response.ok ? await response.json() : null;
  if (!discovery || discovery.issuer !== issuer || !discovery.authorization_endpoint || !discovery.token_endpoint) {
    throw new SignInError(`${issuer}/.well-known/openid-configuration is not the discovery document of ${issuer}.`);
  }
  return discovery;
}

async function redeem(provider, pending, code) {
  let response;
  try {
    response = await fetch(pending.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: pending.redirectUri,
        client_id: provider.clientId,
        code_verifier: pending.verifier,
      }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new SignInError('The provider\'s token endpoint cannot be reached from this browser (it must allow CORS'
      + ' requests from Ferry\'s origin).');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.id_token !== 'string') {
    throw new SignInError(`The provider did not give an ID token: ${body.error || `HTTP ${response.status}`}`
      + (body.error_description ? ` (${body.error_description})` : ''));
  }
  return body.id_token;
}

async function exchange(idToken, audience, scope) {
  const response = await fetch('/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: EXCHANGE,
      subject_token: idToken,
      subject_token_type: ID_TOKEN_TYPE,
      audience,
      scope,
    }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok && typeof body.access_token === 'string', status: response.status, body };
}

function randomText(bytes) {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64Url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
