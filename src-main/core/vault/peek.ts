import { PREAMBLE_MAX_BYTES, readPreamble, VAULT_ID_PATTERN } from './preamble'
import { VaultFile } from './vault-file'

/**
 * Only the id of the vault at `path` (the name of its agent's socket and facts), or null when
 * there is no file or no valid id; the header's other fields are not checked (Vault.peek reads
 * the whole header). For the terminal's fast path, which must not load the schema library:
 * what it learns is used only to find an agent, which is then asked for this very file
 * (route() in terminal-route.ts).
 */
export async function peekVaultId(path: string): Promise<string | null> {
  const found = await new VaultFile(path).readHead(PREAMBLE_MAX_BYTES)
  if (!found) return null
  const { json } = readPreamble(found.head)
  const id = (json as { vaultId?: unknown } | null)?.vaultId
  return typeof id === 'string' && VAULT_ID_PATTERN.test(id) ? id : null
}
