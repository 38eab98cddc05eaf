import { invalid, type ForeignEntry } from './entries'

/**
 * Bitwarden's unencrypted JSON export (Tools > Export vault > File format .json):
 * `{ encrypted: false, folders: [{id, name}], items: [{type, name, notes, folderId,
 * collectionIds, login: {username, password, uris: [{uri}]}}] }` (an organisation's export
 * has `collections` instead of folders). A login (type 1) maps name → name, its first URI →
 * URL, username → Client ID, password → client secret, notes → notes, and its folder's and
 * collections' names → tags; secure notes, cards, identities and SSH keys are left out. TOTP,
 * custom fields, the other URIs, passkeys and the password history are not imported.
 */

const AGAIN = 'Export it again from Bitwarden with Tools > Export vault, file format ".json"'

/** Bitwarden's item types (CipherType) other than a login, as the report says them. */
const NOT_LOGINS: Record<number, string> = { 2: 'is a secure note, not a login', 3: 'is a card, not a login', 4: 'is an identity, not a login', 5: 'is an SSH key, not a login' }

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const text = (value: unknown): string => (typeof value === 'string' ? value : '')

/** Ids to names, of folders or collections. */
function namesById(list: unknown): Map<string, string> {
  return new Map((Array.isArray(list) ? list : []).filter(isObject).map((item) => [text(item.id), text(item.name)]))
}

/** The text of a JSON file, parsed; INVALID_INPUT (without quoting it) when it is not JSON. */
export function parseBitwardenJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw invalid(`The file is not valid JSON, so it is not Bitwarden's JSON export. ${AGAIN}.`)
  }
}

/** The entries of a parsed Bitwarden export. */
export function bitwardenEntries(data: unknown): ForeignEntry[] {
  if (!isObject(data)) throw invalid(`The JSON file is not Bitwarden's export: that is an object with an "items" list. ${AGAIN}.`)
  if (data.encrypted === true)
    throw invalid(`This Bitwarden export is encrypted, and Keyhold reads only the unencrypted one. ${AGAIN} (not ".json (Encrypted)"), and delete the file once imported.`)
  if (!Array.isArray(data.items)) throw invalid(`The JSON file has no "items" list, so it is not Bitwarden's export. ${AGAIN}.`)
  const folders = namesById(data.folders)
  const collections = namesById(data.collections)
  return data.items.map((item): ForeignEntry => {
    if (!isObject(item)) return { title: '', url: '', username: '', password: '', notes: '', tags: [], notALogin: 'is not an item of a Bitwarden export' }
    const login = isObject(item.login) ? item.login : {}
    const uris = Array.isArray(login.uris) ? login.uris : []
    const tags = [
      folders.get(text(item.folderId)) ?? '',
      ...(Array.isArray(item.collectionIds) ? item.collectionIds.map((id) => collections.get(text(id)) ?? '') : []),
    ]
    const type = typeof item.type === 'number' ? item.type : 0
    return {
      title: text(item.name),
      url: text(isObject(uris[0]) ? uris[0].uri : undefined),
      username: text(login.username),
      password: text(login.password),
      notes: text(item.notes),
      tags,
      ...(type !== 1 && { notALogin: NOT_LOGINS[type] ?? 'is not a login' }),
    }
  })
}

/** Whether parsed JSON looks like a Bitwarden export (an object with `items`, or an encrypted one). */
export const isBitwardenExport = (data: unknown) => isObject(data) && (Array.isArray(data.items) || data.encrypted === true)
