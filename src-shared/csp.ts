/**
 * The Content-Security-Policy of the renderer, in one place: main sends it as a response
 * header and `src-renderer/index.html` carries the same string in a meta tag (the header
 * does not reach file:// pages). Tests compare both against this constant.
 * SECURITY: no remote origin, no 'unsafe-inline', no 'unsafe-eval'; everything that is not
 * listed is refused by `default-src 'none'`. Loosen it only with a reason in the commit.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')
