import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { columnOf, invalid, readCsv, type ForeignEntry } from './entries'

/**
 * KeePassXC's exports: the KeePass 2 XML (`keepassxc-cli export --format xml`, or KeePass's
 * File > Export > KeePass XML (2.x)) and the CSV (Database > Export > CSV File: "Group",
 * "Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created").
 * Title → name, URL → URL, UserName → Client ID, Password → client secret, Notes → notes; the
 * groups below the root and the entry's tags → tags. An entry's history, its other fields,
 * TOTP and attachments are not imported; an entry in the Recycle Bin is left out.
 */

const PROGRAM = 'KeePassXC'
const AGAIN = 'Export it again from KeePassXC (keepassxc-cli export --format xml, or Database > Export > CSV File)'

type XmlNode = Record<string, unknown>

const nodes = (value: unknown): XmlNode[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is XmlNode => typeof v === 'object' && v !== null)
const child = (node: XmlNode | undefined, name: string): XmlNode | undefined => nodes(node?.[name])[0]

/** The text of an element: as written (entities and character references decoded, nothing trimmed). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'object' && value !== null && typeof (value as XmlNode)['#text'] === 'string') return (value as XmlNode)['#text'] as string
  return ''
}

/** KeePass's tags: one text separated by commas, semicolons or tabs (as KeePassXC splits them). */
const tagsOf = (text: string) => text.split(/[,;\t]/)

/** A KeePass 2 XML export. */
export function keepassXmlEntries(text: string): ForeignEntry[] {
  const root = text.indexOf('<KeePassFile')
  // SECURITY: an export never has a DOCTYPE; one could declare entities that expand without end.
  if (/<!DOCTYPE/i.test(text.slice(0, root < 0 ? text.length : root)))
    throw invalid(`The XML file declares a DOCTYPE, which a KeePass XML export never has, so Keyhold does not read it. ${AGAIN}.`)
  const valid = XMLValidator.validate(text)
  // SECURITY: the validator's message can quote the file; only the line is said.
  if (valid !== true) throw invalid(`The file is not well-formed XML (line ${valid.err.line}). ${AGAIN}.`)
  let document: XmlNode
  try {
    document = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      // Values are kept as text exactly: "007" stays "007", "  a " keeps its spaces.
      parseTagValue: false,
      trimValues: false,
      // Numeric character references (&#13;) are XML; the parser decodes them with this option.
      htmlEntities: true,
      isArray: (name) => name === 'Group' || name === 'Entry' || name === 'String',
    }).parse(text) as XmlNode
  } catch {
    throw invalid(`The file is not a KeePass XML export that Keyhold can read. ${AGAIN}.`)
  }
  const file = child(document, 'KeePassFile')
  const top = nodes(child(file, 'Root')?.Group)[0]
  if (!file || !top) throw invalid(`The XML file is not a KeePass export: it has no KeePassFile with a Root group. ${AGAIN}.`)
  const meta = child(file, 'Meta')
  const binUuid = textOf(meta?.RecycleBinUUID)
  const binEnabled = textOf(meta?.RecycleBinEnabled) !== 'False' && binUuid !== '' && binUuid !== 'AAAAAAAAAAAAAAAAAAAAAA=='

  const entries: ForeignEntry[] = []
  const walk = (group: XmlNode, path: string[], inBin: boolean) => {
    const bin = inBin || (binEnabled && textOf(group.UUID) === binUuid)
    for (const entry of nodes(group.Entry)) {
      const fields = new Map<string, string>()
      for (const field of nodes(entry.String)) {
        const value = field.Value
        if (typeof value === 'object' && value !== null && (value as XmlNode)['@Protected'] === 'True')
          throw invalid(
            `The XML file holds values encrypted for its database (Protected="True"): it was taken from inside a .kdbx file, not exported. ${AGAIN}.`,
          )
        fields.set(textOf(field.Key), textOf(value))
      }
      entries.push({
        title: fields.get('Title') ?? '',
        url: fields.get('URL') ?? '',
        username: fields.get('UserName') ?? '',
        password: fields.get('Password') ?? '',
        notes: fields.get('Notes') ?? '',
        tags: [...path, ...tagsOf(textOf(entry.Tags))],
        ...(bin && { notALogin: 'is in the Recycle Bin' }),
      })
    }
    for (const sub of nodes(group.Group)) walk(sub, [...path, textOf(sub.Name).trim()].filter(Boolean), bin)
  }
  // The root group is the database itself: its name is no tag.
  walk(top, [], false)
  return entries
}

/** KeePassXC's CSV export. Its Group column is the path from the root group ("Root/Work/APIs"). */
export function keepassCsvEntries(text: string): ForeignEntry[] {
  const rows = readCsv(text, PROGRAM)
  const header = Object.keys(rows[0] ?? {})
  const missing = ['title', 'username', 'password', 'url'].filter((name) => !header.includes(name))
  if (rows.length > 0 && missing.length > 0)
    throw invalid(`The CSV file has no ${missing.map((m) => `"${m}"`).join(', ')} column, so it is not KeePassXC's CSV export ("Group","Title","Username","Password","URL","Notes",...). ${AGAIN}.`)
  const tagsColumn = columnOf(header, 'tags')
  return rows.map((row) => {
    // The first part is the root group, the database itself.
    const groups = (row.group ?? '').split('/').slice(1).map((g) => g.trim()).filter(Boolean)
    return {
      title: row.title!,
      url: row.url!,
      username: row.username!,
      password: row.password!,
      notes: row.notes ?? '',
      tags: [...groups, ...(tagsColumn ? tagsOf(row[tagsColumn]!) : [])],
      // KeePassXC names its bin "Recycle Bin", directly under the root.
      ...(groups[0] === 'Recycle Bin' && { notALogin: 'is in the Recycle Bin' }),
    }
  })
}

/** Whether a CSV header (trimmed cells) is KeePassXC's. */
export const isKeepassCsvHeader = (header: readonly string[]) => {
  const lower = header.map((h) => h.toLowerCase())
  return ['group', 'title', 'username', 'password', 'url', 'notes'].every((name) => lower.includes(name))
}
