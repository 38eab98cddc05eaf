import type { z } from 'zod'
import { KeyholdError } from './errors'

/**
 * How a request that fails its contract schema is told, the same for the IPC wrapper, the
 * CLI and the renderer's forms (which check with the same schemas before sending): a
 * summary for people and scripts (`message`), and each field's problem by its name in the
 * request (`fields`), so a form puts it next to the field without reading the summary.
 * SECURITY: zod's default messages can quote the received value, so only the messages the
 * schemas give themselves are kept; the rest are reduced to safe words.
 */

/** A person-readable summary of what was wrong: field names and our own messages only. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : ''
    if (issue.code === 'unrecognized_keys') return `unexpected field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k.slice(0, 40)}"`).join(', ')}`
    if (issue.code === 'invalid_type') return field ? `${field} has the wrong type` : 'the request has the wrong shape'
    const message = ownMessage(issue) ?? 'is not valid'
    return field && !message.startsWith('The ') ? `${field} ${message}` : message
  })
  return `Invalid input: ${parts.join('; ')}.`.replace(/\.\.$/, '.')
}

/**
 * Each field's first problem, keyed by the field's name at the top of the request (a problem
 * with the third tag is the `tags` field's). Problems with the request as a whole name no
 * field and are left to the summary; undefined when no problem names a field.
 */
export function describeFields(error: z.ZodError): Record<string, string> | undefined {
  const fields: Record<string, string> = {}
  for (const issue of error.issues) {
    const field = issue.path[0]
    if (field === undefined || issue.code === 'unrecognized_keys') continue
    fields[String(field)] ??= ownMessage(issue) ?? (issue.code === 'invalid_type' ? 'This value has the wrong type.' : 'This value is not valid.')
  }
  return Object.keys(fields).length > 0 ? fields : undefined
}

/** The INVALID_INPUT error for a request its schema refused: the summary, and the fields. */
export function invalidInput(error: z.ZodError): KeyholdError {
  return new KeyholdError('INVALID_INPUT', describeIssues(error), describeFields(error))
}

/** Messages we wrote ourselves in schemas are kept; zod's generic ones are reduced to safe text. */
function ownMessage(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'too_small':
    case 'too_big':
    case 'custom':
    case 'invalid_format':
    case 'invalid_value':
      return issue.message
    default:
      return undefined
  }
}
