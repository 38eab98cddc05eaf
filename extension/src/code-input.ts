import { CODE_LENGTH, parseCode } from '../../src-shared/apps/authorization-code'
import { CompanionError, readPairingInput, type PairingInput } from '../../src-shared/local-access/client'

/**
 * What the code field says as the person types: a hint while it is empty, how far along a
 * code is while it is too short to check, the reader's own message (parseCode, or the
 * pairing link's reader) as soon as something is wrong, and the parsed input once it is
 * complete and its check symbol matches. Nothing here quotes the input, which is a secret.
 */
export type CodeInputState =
  | { kind: 'empty'; message: string }
  | { kind: 'typing'; message: string }
  | { kind: 'problem'; message: string }
  | { kind: 'ready'; message: string; input: PairingInput }

export function codeInputState(text: string): CodeInputState {
  const trimmed = text.trim()
  if (/^keyhold:/i.test(trimmed)) return readWhole(trimmed, 'The pairing link checks out.')
  const parsed = parseCode(trimmed)
  if (parsed.ok) return readWhole(trimmed, 'The code checks out.')
  if (parsed.problem === 'empty') return { kind: 'empty', message: '28 letters and digits; dashes and spaces are optional. A pasted pairing link works too.' }
  const typed = trimmed.replace(/[\s-]+/g, '').length
  if (parsed.problem === 'length' && typed < CODE_LENGTH) return { kind: 'typing', message: `${typed} of ${CODE_LENGTH} characters` }
  return { kind: 'problem', message: parsed.message }
}

function readWhole(text: string, words: string): CodeInputState {
  try {
    return { kind: 'ready', message: words, input: readPairingInput(text) }
  } catch (error) {
    return { kind: 'problem', message: error instanceof CompanionError ? error.message : 'This is not a Keyhold pairing code.' }
  }
}
