import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import { connectNetwork } from '../../src-main/core/agent/network/network-transport'
import { createServices } from '../../src-main/core/services'
import { pair, readPairingInput, type PairedIdentity, type Session } from '../../src-shared/local-access/client'
import type { DeviceClaim } from '../../src-shared/local-access/messages'
import type { AppCreated } from '../../src-shared/types/apps'
import { MemoryKeyStore } from '../fakes/memory.key-store'
import { CLAIM, eventually } from './agent'
import { FAST_KDF, PASSWORD, tempDir } from './vault'

/** Decodes the create result's QR image with a real QR reader (jsQR), as a phone's camera would. */
export function scanQr(created: AppCreated): string {
  const image = PNG.sync.read(Buffer.from(created.qr.replace(/^data:image\/png;base64,/, ''), 'base64'))
  const text = jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data
  if (!text) throw new Error('the QR code did not decode')
  return text
}

/**
 * The app's core as the window drives it: real services with the agent on (socket in a temp
 * folder) and the phones' endpoint limited to 127.0.0.1. Approvals are answered through the
 * AgentService's prompts, as the window does.
 */
export async function startPhoneCore() {
  const { dir, cleanup } = tempDir()
  const folder = join(dir, 'run')
  mkdirSync(folder, { mode: 0o700 })
  chmodSync(folder, 0o700)
  const services = createServices({
    vaultPath: join(dir, 'vault.keyhold'),
    keyStore: new MemoryKeyStore(),
    kdf: FAST_KDF,
    agent: {
      holder: 'app',
      software: 'keyhold/test',
      folder,
      networkAddresses: () => [{ address: '127.0.0.1', family: 'IPv4', interface: 'lo', loopback: true }],
    },
  })
  await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
  await eventually(() => services.agent.status().listening)
  /** Approves every pairing question the window would show, until stopped. */
  let approving = true
  const approve = async () => {
    while (approving) {
      for (const prompt of services.agent.prompts())
        if (prompt.kind === 'pairing') services.agent.answerPairing(prompt.id, { approved: true, scope: { secrets: 'all' }, reveal: 'allow' })
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  void approve()
  return {
    services,
    dir,
    /** A phone that scans the QR code of `created` and pairs over the network. */
    phonePairs: async (created: AppCreated, claim: DeviceClaim = CLAIM): Promise<{ identity: PairedIdentity; session: Session; phrase: string }> => {
      const input = readPairingInput(scanQr(created))
      if (!input.network) throw new Error('the QR code has no network address')
      let phrase = ''
      const { identity, session } = await pair(await connectNetwork(input.network), input, { claim, onPhrase: (p) => (phrase = p) })
      return { identity, session, phrase }
    },
    stop: async () => {
      approving = false
      await services.agent.stop()
      await services.vault.settle()
      services.vault.lock()
      cleanup()
    },
  }
}

export type PhoneCore = Awaited<ReturnType<typeof startPhoneCore>>
