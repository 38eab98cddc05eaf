import type { Vault } from '../../vault/vault'
import { readMeta, writeMeta } from '../../vault/meta'
import type { LocalAgent } from '../agent'
import { ensureTlsIdentity } from './certificate'
import type { NetworkListening } from './network-endpoint'

export const NETWORK_PORT_KEY = 'network_port'

/**
 * Starts `agent`'s phones endpoint on `addresses` with the vault's certificate (made on first
 * use) at the vault's remembered port, and remembers the port it got. `movedFrom` is the
 * remembered port when it was taken and another one was chosen (§2.4.2).
 */
export async function servePhones(agent: LocalAgent, vault: Vault, addresses: readonly string[]): Promise<NetworkListening & { movedFrom: number | null }> {
  const identity = await ensureTlsIdentity(vault)
  const remembered = Number(vault.read((db) => readMeta(db, NETWORK_PORT_KEY))) || null
  const listening = await agent.startNetwork({ identity, addresses, port: remembered })
  if (listening.port !== remembered) await vault.mutate((db) => writeMeta(db, NETWORK_PORT_KEY, String(listening.port)))
  return { ...listening, movedFrom: remembered !== null && remembered !== listening.port ? remembered : null }
}
