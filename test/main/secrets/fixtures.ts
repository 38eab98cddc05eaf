import { join } from 'node:path'
import { KeyholdError } from '../../../src-shared/errors'
import { secretInput, type SecretInput } from '../../../src-shared/ipc/secrets.contract'
import { MemoryClipboard } from '../../../src-main/core/ports'
import { createServices, type Services } from '../../../src-main/core/services'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FAST_KDF, FakeClock, PASSWORD, tempDir } from '../../support/vault'

/** Real services over a real vault, with a fake clock and an in-memory clipboard. */
export async function secretsFixture(options: { clipboardClearMs?: number } = {}): Promise<{
  services: Services
  clock: FakeClock
  clipboard: MemoryClipboard
  path: string
  dir: string
  cleanup: () => void
}> {
  const { dir, cleanup } = tempDir()
  const path = join(dir, 'vault.keyhold')
  const clock = new FakeClock()
  const clipboard = new MemoryClipboard()
  const services = createServices({
    vaultPath: path,
    keyStore: new MemoryKeyStore(),
    kdf: FAST_KDF,
    clock,
    clipboard,
    clipboardClearMs: options.clipboardClearMs,
  })
  await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
  return {
    services,
    clock,
    clipboard,
    path,
    dir,
    cleanup: () => {
      services.vault.lock()
      cleanup()
    },
  }
}

/** A valid add input (as the contract parses it) with `overrides`. */
export function secretOf(overrides: Record<string, unknown> = {}): SecretInput {
  return secretInput.parse({
    name: 'Stripe payments',
    url: 'https://api.stripe.com/v1',
    clientId: 'ci_live_123',
    clientSecret: 'sk_live_TOPSECRET_1',
    identifier: 'stripe-prod',
    method: 'POST',
    tags: ['prod', 'payments'],
    notes: 'Rotated every 90 days.',
    ...overrides,
  })
}

export async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    if (error instanceof KeyholdError) return error.code
    throw error
  }
  return 'OK'
}

export async function errorOf(promise: Promise<unknown> | (() => unknown)): Promise<KeyholdError> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    if (error instanceof KeyholdError) return error
    throw error
  }
  throw new Error('expected a KeyholdError')
}
