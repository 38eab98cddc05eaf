import { currentLocale } from './index'
import { PATTERNS, SENTENCES, SUMMARY, type Translate } from './core-messages.pt-BR'

/**
 * The core's sentences in the app's language. The core (src-main/core, src-shared) writes its
 * errors, field messages and status problems in English, for the CLI too, and keeps doing so;
 * the renderer translates what it shows here. In English a message is returned as it is; in
 * pt-BR it is looked up in core-messages.pt-BR.ts: exact sentences first, then patterns whose
 * variable parts (names, paths, numbers) go back unchanged, then validation's "Invalid input:"
 * summary part by part. A message not known there stays English, whole: never half translated.
 * Call it when the message is shown or stored for showing (errorText, useForm), not at load.
 */
export function translateCoreMessage(message: string): string {
  if (currentLocale() !== 'pt-BR') return message
  return portuguese(message) ?? message
}

/** The Portuguese of a core message, or undefined when it is not known. */
const portuguese: Translate = (message) => {
  if (Object.hasOwn(SENTENCES, message)) return SENTENCES[message]
  if (message.startsWith(SUMMARY.english) && message.endsWith('.')) return summary(message)
  return matching(message)
}

function matching(message: string): string | undefined {
  for (const { re, pt } of PATTERNS) {
    const m = re.exec(message)
    if (m) {
      const out = pt(m, portuguese)
      if (out !== undefined) return out
    }
  }
  return undefined
}

/**
 * describeIssues's "Invalid input: a; b; c." (src-shared/validation.ts): each part is a field's
 * path and our message, our message alone, or one of validation's phrases; the last part's
 * own period merged with the summary's. A message may itself hold "; ", so a part is the
 * fewest pieces that translate.
 */
function summary(message: string): string | undefined {
  const pieces = message.slice(SUMMARY.english.length, -1).split('; ')
  const parts: string[] = []
  for (let start = 0; start < pieces.length; ) {
    let end = start + 1
    let out: string | undefined
    for (; end <= pieces.length && out === undefined; end++) {
      const text = pieces.slice(start, end).join('; ')
      out = part(text) ?? (end === pieces.length ? part(`${text}.`) : undefined)
    }
    if (out === undefined) return undefined
    parts.push(out)
    start = end - 1
  }
  return `${SUMMARY.portuguese}${parts.join('; ')}.`.replace(/\.\.$/, '.')
}

/** One part of the summary: a phrase of validation's, a message, or a field's path and its message. */
function part(text: string): string | undefined {
  for (const { re, pt } of SUMMARY.parts) {
    const m = re.exec(text)
    if (m) return pt(m, portuguese)
  }
  const whole = portuguese(text)
  if (whole !== undefined) return whole
  const field = /^(\S+) (.+)$/s.exec(text)
  const message = field && portuguese(field[2]!)
  return message ? `${field[1]} ${message}` : undefined
}
