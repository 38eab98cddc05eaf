import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js'
import { KeyholdError } from '../../../src-shared/errors'
import { latestVersion, type Migration } from './migrations'

export type { Database } from 'sql.js'

let sqlJs: Promise<SqlJsStatic> | undefined

/** Page size of new vaults (existing ones keep theirs). */
export const PAGE_SIZE = 16384

/**
 * Starts loading sql.js (compiling its WASM) without waiting, e.g. while Argon2id runs on the
 * thread pool, so opening a vault does not pay for it afterwards. Failures surface on use.
 */
export function preloadSqlJs(): void {
  loadSqlJs().catch(() => undefined)
}

/** sql.js is loaded once per process; its WASM file is read from the installed package. */
function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= (() => {
    const require = createRequire(__filename)
    const dist = dirname(require.resolve('sql.js/dist/sql-wasm.js'))
    return initSqlJs({ locateFile: (file: string) => join(dist, file) })
  })()
  return sqlJs
}

/** SECURITY: deleted rows are overwritten with zeros, so they do not survive in the saved image. */
export function applyPragmas(db: Database): void {
  db.run('PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON;')
}

/** The migrations every vault of this process is brought up to date with (see useSchema). */
let schema: readonly Migration[] | null = null

/**
 * Sets the migrations that every vault this process opens is brought up to date with: the
 * composition's list (core/schema.ts), set by createServices. The vault layer knows no
 * feature's tables; it runs what it is given.
 */
export function useSchema(migrations: readonly Migration[]): void {
  latestVersion(migrations)
  schema = migrations
}

function currentSchema(): readonly Migration[] {
  if (!schema) throw new Error('No schema to open a vault with: createServices (core/services.ts) sets it with useSchema(SCHEMA).')
  return schema
}

/**
 * Opens a database image (or a new empty one), applies pragmas and brings its schema up to
 * date with `migrations` (by default the process's, see useSchema).
 */
export async function openDatabase(image?: Uint8Array, migrations: readonly Migration[] = currentSchema()): Promise<Database> {
  const SQL = await loadSqlJs()
  const db = new SQL.Database(image)
  // A new database gets 16 KiB pages: sql.js copies the image page by page on every save and
  // reads it page by page through its JS file system, so 4x fewer pages halve export and open.
  if (!image) db.run(`PRAGMA page_size = ${PAGE_SIZE}`)
  applyPragmas(db)
  try {
    if (migrate(db, migrations)) migratedOnOpen.add(db)
  } catch (error) {
    db.close()
    throw error
  }
  return db
}

export function schemaVersion(db: Database): number {
  return Number(db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0)
}

const migratedOnOpen = new WeakSet<Database>()

/** Whether opening `db` ran a migration: its image on disk is of an older schema until the next save. */
export function wasMigratedOnOpen(db: Database): boolean {
  return migratedOnOpen.has(db)
}

/**
 * Runs every migration of `migrations` (numbered 1..N) above the image's `user_version`, each
 * in its own transaction, and says whether any ran. An image from a newer Keyhold is refused
 * rather than guessed at.
 */
export function migrate(db: Database, migrations: readonly Migration[]): boolean {
  const latest = latestVersion(migrations)
  const current = schemaVersion(db)
  if (current > latest)
    throw new KeyholdError(
      'VAULT_VERSION_UNSUPPORTED',
      `This vault was saved by a newer Keyhold (schema ${current}; this one knows up to ${latest}). Update Keyhold to open it; the file was not changed.`,
    )
  let ran = false
  for (const migration of migrations) {
    if (migration.version <= current) continue
    ran = true
    db.run('BEGIN')
    try {
      migration.up(db)
      db.run(`PRAGMA user_version = ${migration.version}`)
      db.run('COMMIT')
    } catch (error) {
      db.run('ROLLBACK')
      throw error
    }
  }
  return ran
}

/** Runs `fn` in a transaction; on any throw the database is exactly as before. */
export function transaction<T>(db: Database, fn: (db: Database) => T): T {
  db.run('SAVEPOINT mutation')
  try {
    const result = fn(db)
    db.run('RELEASE mutation')
    return result
  } catch (error) {
    try {
      db.run('ROLLBACK TO mutation')
      db.run('RELEASE mutation')
    } catch {
      // SQLite rolled the whole transaction back itself (it does on SQLITE_FULL): nothing is left to undo.
    }
    throw error
  }
}

/** Small typed helpers over sql.js statements, so repositories read as SQL. */
export function all<T>(db: Database, sql: string, params: Record<string, unknown> | unknown[] = []): T[] {
  const { columns, rows } = select(db, sql, params)
  // getAsObject() would look the column names up again for every row (3-4x slower on big reads).
  return rows.map((values) => {
    const row: Record<string, unknown> = {}
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i]
    return row as T
  })
}

/** Rows as arrays of their values, in the SELECT's column order: for decoders that read by position. */
export function values<T extends unknown[]>(db: Database, sql: string, params: Record<string, unknown> | unknown[] = []): T[] {
  return select(db, sql, params).rows as T[]
}

function select(db: Database, sql: string, params: Record<string, unknown> | unknown[]): { columns: string[]; rows: unknown[][] } {
  const stmt = db.prepare(sql)
  try {
    stmt.bind(params as never)
    const rows: unknown[][] = []
    while (stmt.step()) rows.push(stmt.get())
    return { columns: stmt.getColumnNames(), rows }
  } finally {
    stmt.free()
  }
}

export function one<T>(db: Database, sql: string, params: Record<string, unknown> | unknown[] = []): T | undefined {
  return all<T>(db, sql, params)[0]
}

export function run(db: Database, sql: string, params: Record<string, unknown> | unknown[] = []): number {
  db.run(sql, params as never)
  return db.getRowsModified()
}
