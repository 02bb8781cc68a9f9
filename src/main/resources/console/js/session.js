// The admin token lives in this tab's sessionStorage only: never in a cookie (nothing is sent
// without the console asking), never in a URL (nothing lands in history, logs or Referer headers).
// Closing the tab signs out.

const KEY = 'ferry.console.session';

/** The claims of a JWT, unverified (Ferry verifies its own tokens); null for anything else. */
export function jwtClaims(token) {
  const parts = String(token || '').split('.');
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(base64UrlText(parts[1]));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? claims : null;
  } catch {
    return null;
  }
}

export function base64UrlText(value) {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

export const session = {
  /** {token, via: 'token' | 'oidc', subject, scope, expiresAt (ms) } or null */
  current() {
    let stored;
    try {
      stored = JSON.parse(sessionStorage.getItem(KEY));
    } catch {
      stored = null;
    }
    if (!stored || typeof stored.token !== 'string') return null;
    if (stored.expiresAt && Date.now() >= stored.expiresAt) {
      this.clear();
      return null;
    }
    return stored;
  },

  token() {
    const current = this.current();
    return current ? current.token : null;
  },

  /** A Ferry JWT tells its subject, scope and expiry; an opaque token (the bootstrap token) does not. */
  start(token, via, { expiresIn, scope } = {}) {
    const claims = jwtClaims(token);
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : claims && claims.exp ? claims.exp * 1000 : null;
    const value = {
      token,
      via,
      subject: claims && typeof claims.sub === 'string' ? claims.sub : null,
      scope: scope || (claims && typeof claims.scope === 'string' ? claims.scope : null),
      expiresAt,
    };
    sessionStorage.setItem(KEY, JSON.stringify(value));
    return value;
  },

  clear() {
    sessionStorage.removeItem(KEY);
  },

  /** False only when the token says it holds ferry:read and not ferry:admin. */
  canWrite() {
    const current = this.current();
    if (!current || current.scope === null) return true;
    return current.scope.split(' ').includes('ferry:admin');
  },
};
