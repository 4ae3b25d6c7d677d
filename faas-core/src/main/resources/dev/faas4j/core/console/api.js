// The admin API, as the console calls it: the token the user typed goes in an Authorization header on
// every call. It is kept in sessionStorage (gone when the tab closes), never in a URL or a cookie.

const TOKEN_KEY = 'faas4j.admin.token';

/** The admin API's root: the console is served at {api}/console/, so the API is one level up. */
export const apiBase = new URL('../', document.baseURI);

export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }
export function clearToken() { sessionStorage.removeItem(TOKEN_KEY); }

/** A refusal or failure, with faas4j's own message ({"status":"error","error":"..."}) when it sent one. */
export class ApiError extends Error {
  constructor(status, message) {
    super(status ? `${message} (HTTP ${status})` : message);
    this.status = status;
  }
}

function headers(extra = {}) {
  const value = token();
  return value ? { Authorization: `Bearer ${value}`, ...extra } : extra;
}

const enc = encodeURIComponent;

/** One JSON call; resolves to the answer's JSON, rejects with an ApiError. */
export async function call(method, path, body, signal) {
  const init = { method, headers: headers(), signal, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(new URL(path, apiBase), init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, `the gateway could not be reached: ${e.message}`);
  }
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON: the text is the message */ }
  if (!response.ok) {
    throw new ApiError(response.status, (json && json.error) || text || response.statusText);
  }
  return json;
}

export const api = {
  functions: () => call('GET', 'functions'),
  describe: (name) => call('GET', `functions/${enc(name)}`),
  version: (name, version) => call('GET', `functions/${enc(name)}/versions/${enc(version)}`),
  deploy: (name, spec) => call('POST', `deploy/${enc(name)}`, spec),
  rollback: (name, version) => call('POST', `rollback/${enc(name)}`, { version }),
  moveAlias: (name, alias, version) => call('PUT', `functions/${enc(name)}/aliases/${enc(alias)}`, { version }),
  removeAlias: (name, alias) => call('DELETE', `functions/${enc(name)}/aliases/${enc(alias)}`),
  stopVersion: (name, version) => call('POST', `functions/${enc(name)}/versions/${enc(version)}/stop`),
  deleteVersion: (name, version) => call('DELETE', `functions/${enc(name)}/versions/${enc(version)}`),
  deleteFunction: (name) => call('DELETE', `functions/${enc(name)}`),
  invoke: (name, request) => call('POST', `functions/${enc(name)}/invoke`, request),
};

/**
 * Follows a function's logs: GET …/logs?follow=true is a server-sent event stream. EventSource
 * cannot send an Authorization header, so the stream is read with fetch() and split into events
 * here. Calls onLine for each `data:` line until `signal` aborts; rejects with an ApiError.
 */
export async function followLogs(name, onLine, signal) {
  let response;
  try {
    response = await fetch(new URL(`functions/${enc(name)}/logs?follow=true&lines=50`, apiBase),
      { headers: headers({ Accept: 'text/event-stream' }), signal, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    if (e.name === 'AbortError') return;
    throw new ApiError(0, `the gateway could not be reached: ${e.message}`);
  }
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try { message = JSON.parse(text).error || text; } catch { /* keep the text */ }
    throw new ApiError(response.status, message);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split('\n')) {
          if (line.startsWith('data: ')) onLine(line.slice(6));
        }
      }
    }
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
  }
}
