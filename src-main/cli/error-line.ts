import { toSerializedError } from '../../src-shared/errors'

/**
 * How the CLI says an error: one line on standard error, `keyhold: CODE: message` (the message
 * on one line). The whole CLI (program.ts), the session through an agent (fast-session.ts) and
 * the read path (read-path.ts) print it alike.
 */
export function errorLine(error: unknown): string {
  const { code, message } = toSerializedError(error)
  return `keyhold: ${code}: ${message.replace(/\s+/g, ' ')}\n`
}
