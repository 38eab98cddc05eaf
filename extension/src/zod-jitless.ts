import { config } from 'zod'

/**
 * Imported first by every entry point. SECURITY: the extension's CSP forbids eval, and zod
 * would probe for it with `new Function` (a CSP violation report) and compile parsers with
 * it; jitless mode does neither. It must run before any schema is built.
 */
config({ jitless: true })
