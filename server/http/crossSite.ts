import type { IncomingMessage } from 'node:http';
import { parse as parseCookies } from 'cookie';

/**
 * Cross-site request forgery guard for mutations the session cookie authenticates. SameSite=Lax and
 * the JSON content type are not enough on their own (a form POST carries the cookie on top-level
 * navigations, and Lax is a browser's choice, not ours), so the page that sent the call must be one
 * of the allowed frontends, or the API's own origin. Browsers always send `Origin` on cross-origin
 * POSTs and `Sec-Fetch-Site` on every request; a call with neither is not from a browser page, and a
 * cookie it carries was put there by its own user. Bearer-token calls cannot be forged by a page (it
 * cannot set the header without a CORS preflight), so they are never checked.
 */

const BEARER = /^bearer\s/i;

/** The session cookie authenticates this call: it is present and no bearer token takes precedence. */
function cookieAuthenticated(req: IncomingMessage, cookieName: string): boolean {
  if (BEARER.test(req.headers.authorization ?? '')) return false;
  const header = req.headers.cookie;
  return Boolean(header && parseCookies(header)[cookieName]);
}

/** The origin the API itself is served at, as a browser on the same origin would send it. */
function ownOrigin(req: IncomingMessage & { protocol?: string }): string | undefined {
  const host = req.headers.host;
  return host ? `${req.protocol ?? 'http'}://${host}` : undefined;
}

export function isCrossSiteCookieCall(
  req: IncomingMessage & { protocol?: string },
  settings: { allowedOrigins: string[]; cookieName: string },
): boolean {
  if (!cookieAuthenticated(req, settings.cookieName)) return false;
  const origin = req.headers.origin;
  if (origin !== undefined) return !(settings.allowedOrigins.includes(origin) || origin === ownOrigin(req));
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/** The media type of a request body, without parameters, lower-cased. */
export function mediaTypeOf(req: IncomingMessage): string | undefined {
  return req.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase() || undefined;
}
