// The admin API client. Every call the console makes goes through here, to the public
// /admin/v1 API with the signed-in bearer token: nothing the console does needs more than curl.

import { session } from './session.js';

export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message);
    this.status = status;
    this.problem = problem || {};
    this.type = this.problem.type || null;
    this.field = this.problem.field || null;
  }
}

let unauthorized = () => {};

/** What to do when Ferry no longer accepts the session's token (401). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/**
 * A call to Ferry. Resolves to {status, etag, cursor, data}; rejects with an ApiError carrying the
 * problem details (type, field, detail). `cursor` is the next page's cursor from an RFC 8288 Link
 * header, if any.
 */
export async function api(method, path, { body, ifMatch, signal, token } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  const bearer = token || session.token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, null, 'Ferry cannot be reached. Is it running?');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  const problem = data && typeof data === 'object' && !Array.isArray(data) ? data : null;
  if (response.status === 401) {
    if (!token) unauthorized();
    throw new ApiError(401, problem, 'Ferry does not accept this token (missing, expired or not an admin token).');
  }
  if (response.status === 403) {
    throw new ApiError(403, problem,
      'Your token does not allow this: changes need scope ferry:admin (ferry:read reads and explains only).');
  }
  if (!response.ok) {
    const detail = problem && (problem.detail || problem.error_description || problem.title);
    throw new ApiError(response.status, problem, detail || `Ferry answered HTTP ${response.status}.`);
  }
  return { status: response.status, etag: response.headers.get('ETag'), cursor: nextCursor(response), data };
}

/** The cursor of an RFC 8288 Link header's rel="next" target. */
function nextCursor(response) {
  const header = response.headers.get('Link');
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match || !/;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?/i.test(match[2])) continue;
    try {
      return new URL(match[1], location.href).searchParams.get('cursor');
    } catch {
      return null;
    }
  }
  return null;
}

/** A definition as PUT/POST takes it: without the metadata responses carry. */
export function definitionOf(stored, extra = []) {
  const copy = { ...stored };
  for (const name of ['version', 'createdAt', 'updatedAt', 'warnings', ...extra]) delete copy[name];
  return copy;
}

export const etagOf = (version) => `"${version}"`;

export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== null && value !== undefined && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
