import { randomBytes } from 'node:crypto'
import { KeyholdError } from '../../../src-shared/errors'
import type { KdfParams } from '../../../src-shared/types/vault'
import { deriveKey, NONCE_BYTES, open, seal } from './crypto'
import type { KeySlot, VaultHeader } from './format'

/**
 * Key slots: the vault's data key wrapped (AES-256-GCM) by a key derived from the master
 * password, and optionally by a device key kept in the OS keychain. Pure functions over the
 * header: nothing here reads a file or keeps a key. SECURITY: every derived or unwrapped key
 * that is not returned is wiped before the function returns.
 */

/** How a vault is opened: by master password, or by the device key from the OS keychain. */
export type Unlocker = { password: string } | { deviceKey: Buffer }

/** Each slot's associated data names its type and vault: a slot cannot be moved to another vault or role. */
const slotAad = (vaultId: string, type: KeySlot['type']) => Buffer.from(`keyhold-slot:${type}:${vaultId}`, 'utf8')

function wrapSlot(type: KeySlot['type'], vaultId: string, wrappingKey: Buffer, dataKey: Buffer): KeySlot {
  const { nonce, sealed } = seal(wrappingKey, dataKey, slotAad(vaultId, type))
  return { type, nonce, wrapped: sealed }
}

const wrongPassword = () =>
  new KeyholdError('WRONG_PASSWORD', 'That master password is not correct. Check Caps Lock and the keyboard layout, and try again.')

/** A password slot for `dataKey` under a new salt (one key derivation). */
async function passwordSlot(vaultId: string, kdf: KdfParams, password: string, dataKey: Buffer): Promise<{ salt: Buffer; slot: KeySlot }> {
  const salt = randomBytes(16)
  const kek = await deriveKey(password, salt, kdf)
  const slot = wrapSlot('password', vaultId, kek, dataKey)
  kek.fill(0)
  return { salt, slot }
}

/** The header of a new vault: a random id and a password slot for `dataKey`. */
export async function newHeader(password: string, kdf: KdfParams, dataKey: Buffer): Promise<VaultHeader> {
  const vaultId = randomBytes(10).toString('hex')
  const { salt, slot } = await passwordSlot(vaultId, kdf, password, dataKey)
  return { vaultId, kdf, salt, slots: [slot], payloadNonce: Buffer.alloc(NONCE_BYTES) }
}

/**
 * The data key `unlocker` opens in `header`: WRONG_PASSWORD for a password that does not open
 * the password slot, KEYCHAIN_UNAVAILABLE for a device key that opens no device slot.
 */
export async function unwrapDataKey(header: VaultHeader, unlocker: Unlocker): Promise<Buffer> {
  if ('password' in unlocker) {
    const slot = header.slots.find((s) => s.type === 'password')!
    const kek = await deriveKey(unlocker.password, header.salt, header.kdf)
    const key = open(kek, slot.nonce, slot.wrapped, slotAad(header.vaultId, 'password'))
    kek.fill(0)
    if (!key) throw wrongPassword()
    return key
  }
  const slot = header.slots.find((s) => s.type === 'device')
  const key = slot && open(unlocker.deviceKey, slot.nonce, slot.wrapped, slotAad(header.vaultId, 'device'))
  if (!key)
    throw new KeyholdError('KEYCHAIN_UNAVAILABLE', 'This device is no longer remembered for this vault. Unlock with your master password.')
  return key
}

/**
 * `header` with its slots rewrapped for a new data key: a password slot for `password` (a new
 * salt) and a device slot for `deviceKey`, or none without one (the old one wrapped the old key).
 */
export async function rekeyedHeader(header: VaultHeader, password: string, deviceKey: Buffer | null, dataKey: Buffer): Promise<VaultHeader> {
  const { salt, slot } = await passwordSlot(header.vaultId, header.kdf, password, dataKey)
  const device = deviceKey ? [wrapSlot('device', header.vaultId, deviceKey, dataKey)] : []
  return { ...header, salt, slots: [slot, ...device] }
}

/** `header` with its device slot for `deviceKey` (added or replaced), or without one for null. */
export function withDeviceSlot(header: VaultHeader, deviceKey: Buffer | null, dataKey: Buffer): VaultHeader {
  const others = header.slots.filter((s) => s.type !== 'device')
  return { ...header, slots: deviceKey ? [...others, wrapSlot('device', header.vaultId, deviceKey, dataKey)] : others }
}

/** Whether `header` has a device slot ("Remember on this device"). */
export const hasDeviceSlot = (header: VaultHeader): boolean => header.slots.some((s) => s.type === 'device')
