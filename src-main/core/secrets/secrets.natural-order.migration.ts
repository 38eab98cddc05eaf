import type { Migration } from '../vault/migrations'
import { nameSortKey } from './secrets.sort-key'

/**
 * Schema 7: API secrets in natural order ("Service 5" before "Service 49"). No table changes:
 * every `name_key` is rewritten with nameSortKey (until now it was the folded name), so the
 * `secret_by_name` index, the report's pages and the search index keep one order.
 */
export const secretsNaturalOrderMigration: Migration = {
  version: 7,
  name: 'secrets-natural-order',
  up(db) {
    const rows = db.exec('SELECT id, name FROM secret')[0]?.values ?? []
    const statement = db.prepare('UPDATE secret SET name_key = ? WHERE id = ?')
    try {
      for (const [id, name] of rows) statement.run([nameSortKey(String(name)), String(id)])
    } finally {
      statement.free()
    }
  },
}
