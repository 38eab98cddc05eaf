import { contract, type KeyholdApi, type Method } from '../../src-shared/ipc/contract'
import type { ErrorCode, Result } from '../../src-shared/errors'
import type { AgentPrompt, AgentStatus, NetworkStatus } from '../../src-shared/types/agent'
import type { AppId } from '../../src-shared/types/apps'
import { PAIRING_IDLE_DEFAULT_DAYS, type PairingId, type PairingSummary } from '../../src-shared/types/pairings'
import type { VaultStatus } from '../../src-shared/types/vault'

const fail = (code: ErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } })

/**
 * A stand-in for `window.keyhold` in renderer tests: every contract method exists; those not
 * given answer INTERNAL ("not faked"), so a test that calls something unexpected fails loudly.
 */
export function fakeApi(methods: Partial<KeyholdApi>): KeyholdApi {
  return Object.fromEntries(
    (Object.keys(contract) as Method[]).map((method) => [
      method,
      methods[method] ?? (async () => fail('INTERNAL', `not faked: ${method}`)),
    ]),
  ) as KeyholdApi
}

/**
 * The vault's side of the contract, in memory: enough behaviour (state, password check,
 * device key, keychain failure) for stores and screens, and a log of what was called.
 */
export class FakeVault {
  state: VaultStatus['state'] = 'absent'
  password = ''
  remembered = false
  keychainBroken = false
  autoLockMs = 5 * 60_000
  readonly calls: Array<{ method: Method; input: unknown }> = []

  status(): VaultStatus {
    return { state: this.state, rememberedOnDevice: this.remembered, autoLockMs: this.autoLockMs }
  }

  /** Puts the fake in the locked state with `password`, as if a vault existed on disk. */
  existing(password: string, options: { remembered?: boolean } = {}): this {
    this.state = 'locked'
    this.password = password
    this.remembered = options.remembered ?? false
    return this
  }

  api(overrides: Partial<KeyholdApi> = {}): KeyholdApi {
    const ok = async <T>(method: Method, input: unknown, value: () => T | Result<T>): Promise<Result<T>> => {
      this.calls.push({ method, input })
      const out = value()
      return out && typeof out === 'object' && 'ok' in out ? (out as Result<T>) : { ok: true, value: out as T }
    }
    const locked = () => fail('VAULT_LOCKED', 'The vault is locked. Unlock it with your master password to continue.')
    const wrong = () => fail('WRONG_PASSWORD', 'That master password is not correct. Check Caps Lock and the keyboard layout, and try again.')
    return fakeApi({
      vaultStatus: (input) => ok('vaultStatus', input, () => this.status()),
      vaultCreate: (input) =>
        ok('vaultCreate', input, () => {
          if (this.state !== 'absent') return fail('VAULT_EXISTS', 'A vault already exists.')
          this.state = 'unlocked'
          this.password = input.password
          this.remembered = input.rememberOnDevice && !this.keychainBroken
          return this.status()
        }),
      vaultUnlock: (input) =>
        ok('vaultUnlock', input, () => {
          if (input.password !== this.password) return wrong()
          this.state = 'unlocked'
          if (input.rememberOnDevice !== undefined) this.remembered = input.rememberOnDevice
          return this.status()
        }),
      vaultUnlockWithDevice: (input) =>
        ok('vaultUnlockWithDevice', input, () => {
          if (this.keychainBroken || !this.remembered)
            return fail('KEYCHAIN_UNAVAILABLE', 'The system keychain is not available, so the device key could not be read. Unlock with your master password.')
          this.state = 'unlocked'
          return this.status()
        }),
      vaultLock: (input) =>
        ok('vaultLock', input, () => {
          if (this.state === 'unlocked') this.state = 'locked'
          return this.status()
        }),
      vaultChangePassword: (input) =>
        ok('vaultChangePassword', input, () => {
          if (this.state !== 'unlocked') return locked()
          if (input.current !== this.password) return wrong()
          this.password = input.next
          return this.status()
        }),
      vaultRotateKey: (input) =>
        ok('vaultRotateKey', input, () => {
          if (this.state !== 'unlocked') return locked()
          if (input.password !== this.password) return wrong()
          // Like the core: a remembered device whose keychain cannot take a new key is forgotten.
          if (!this.remembered || !this.keychainBroken) return this.status()
          this.remembered = false
          return { ...this.status(), warning: { code: 'KEYCHAIN_UNAVAILABLE' as const, message: 'The system keychain could not take the new device key, so this computer is no longer remembered for this vault: the next unlock needs the master password.' } }
        }),
      vaultActivity: (input) => ok('vaultActivity', input, () => null),
      ...overrides,
    })
  }

  /** How many times `method` was called. */
  count(method: Method): number {
    return this.calls.filter((call) => call.method === method).length
  }
}

/**
 * The local access agent's side of the contract, in memory: its status, the questions it
 * waits on (set `prompts` to ask one; an answer removes it), the pairings, and a log of calls.
 */
export class FakeAgent {
  status: AgentStatus = {
    enabled: true,
    listening: true,
    endpoint: '/run/user/1000/keyhold/c3a7f725f31ce7b0afc2.sock',
    desktopKey: 'A'.repeat(43),
    connections: 0,
    idleRevokeDays: PAIRING_IDLE_DEFAULT_DAYS,
    problem: null,
  }
  /** Phones on this network: off, never started (no port or certificate yet). */
  network: NetworkStatus = {
    on: false,
    keepOn: false,
    whileLocked: false,
    listening: false,
    port: null,
    addresses: [],
    hosts: [],
    fingerprint: null,
    connections: 0,
    problem: null,
  }
  /** Set to make agent:set-network fail with this. */
  networkFailure: Result<never> | null = null
  prompts: AgentPrompt[] = []
  pairings: PairingSummary[] = []
  readonly calls: Array<{ method: Method; input: unknown }> = []

  api(): Partial<KeyholdApi> {
    const ok = async <T>(method: Method, input: unknown, value: () => T): Promise<Result<T>> => {
      this.calls.push({ method, input })
      return { ok: true, value: value() }
    }
    const take = (id: string): boolean => {
      const had = this.prompts.some((prompt) => prompt.id === id)
      this.prompts = this.prompts.filter((prompt) => prompt.id !== id)
      return had
    }
    return {
      agentStatus: (input) => ok('agentStatus', input, () => this.status),
      agentSetEnabled: (input) => ok('agentSetEnabled', input, () => (this.status = { ...this.status, enabled: input.enabled, listening: input.enabled })),
      agentSetIdleDays: (input) => ok('agentSetIdleDays', input, () => (this.status = { ...this.status, idleRevokeDays: input.days })),
      agentPrompts: (input) => ok('agentPrompts', input, () => this.prompts),
      agentNetworkStatus: (input) => ok('agentNetworkStatus', input, () => this.network),
      agentSetNetwork: async (input) => {
        if (this.networkFailure) {
          this.calls.push({ method: 'agentSetNetwork', input })
          return this.networkFailure
        }
        return ok('agentSetNetwork', input, () => (this.network = { ...this.network, ...input, ...(input.on !== undefined && listeningAs(input.on)) }))
      },
      agentQrClosed: (input) => ok('agentQrClosed', input, () => (this.network = { ...this.network, ...listeningAs(false), on: false })),
      agentAnswerPairing: (input) => ok('agentAnswerPairing', input, () => ({ answered: take(input.id) })),
      agentAnswerReveal: (input) => ok('agentAnswerReveal', input, () => ({ answered: take(input.id) })),
      agentAnswerTerminal: (input) => ok('agentAnswerTerminal', input, () => ({ answered: take(input.id) })),
      pairingsList: (input) => ok('pairingsList', input, () => this.pairings),
      pairingsRevoke: (input) =>
        ok('pairingsRevoke', input, () => {
          this.pairings = this.pairings.map((p) => (p.id === input.id ? { ...p, status: 'ended', endReason: 'revoked', endedAt: '2026-05-01T10:00:00.000Z' } : p))
          return this.pairings.find((p) => p.id === input.id)!
        }),
      pairingsRevokeAll: (input) =>
        ok('pairingsRevokeAll', input, () => {
          const live = this.pairings.filter((p) => p.status === 'live').length
          this.pairings = this.pairings.map((p) => (p.status === 'live' ? { ...p, status: 'ended', endReason: 'revoked-all', endedAt: '2026-05-01T10:00:00.000Z' } : p))
          return { ended: live }
        }),
    }
  }

  /** The inputs of every call of `method`. */
  inputs(method: Method): unknown[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.input)
  }
}

/** Where the fake endpoint listens when on (a laptop on Wi-Fi), or nothing when off. */
function listeningAs(on: boolean): Pick<NetworkStatus, 'listening' | 'port' | 'addresses' | 'hosts' | 'fingerprint'> {
  if (!on) return { listening: false, port: 50123, addresses: [], hosts: [], fingerprint: NETWORK_FINGERPRINT }
  return {
    listening: true,
    port: 50123,
    addresses: [
      { address: '192.168.1.20', interface: 'wlan0' },
      { address: '127.0.0.1', interface: 'lo' },
    ],
    hosts: ['192.168.1.20:50123'],
    fingerprint: NETWORK_FINGERPRINT,
  }
}

/** The fake endpoint's certificate fingerprint (43 base64url characters). */
export const NETWORK_FINGERPRINT = 'q3C2b1yN0kQeW4r8T6uJ5aZ-x_9mPvLsHdGfEoRiUcY'

/** A question to approve a device, as main sends it (a phone that says it is a phone, two minutes left). */
export function pairingPrompt(over: Partial<Extract<AgentPrompt, { kind: 'pairing' }>> = {}): AgentPrompt {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    kind: 'pairing',
    app: { id: '22222222-2222-4222-8222-222222222222', name: 'Work phone', type: 'mobile', expiresAt: null },
    claim: { device: { name: 'Pixel 8', platform: 'android' }, software: 'keyhold-android/1.0.0', kind: 'mobile' },
    phrase: 'acorn bagel cider drum',
    contested: false,
    deadline: new Date(Date.now() + 120_000).toISOString(),
    ...over,
  }
}

/** A terminal asking to run its commands in the app, as main sends it (on /dev/pts/3, a minute left). */
export function terminalPrompt(over: Partial<Extract<AgentPrompt, { kind: 'terminal' }>> = {}): AgentPrompt {
  return {
    id: '99999999-9999-4999-8999-999999999999',
    kind: 'terminal',
    claim: { command: 'keyhold secret get stripe', cwd: '/home/ada/src/shop', tty: '/dev/pts/3', pid: 4242 },
    grant: { idleMs: 10 * 60_000, lifetimeMs: 12 * 3_600_000 },
    deadline: new Date(Date.now() + 60_000).toISOString(),
    ...over,
  }
}

/** A row of Settings > Connected apps. */
export function pairingSummary(over: Partial<PairingSummary> = {}): PairingSummary {
  return {
    id: '33333333-3333-4333-8333-333333333333' as PairingId,
    app: { id: '22222222-2222-4222-8222-222222222222' as AppId, name: 'Work phone', type: 'mobile' },
    device: { name: 'Pixel 8', platform: 'android' },
    software: 'keyhold-android/1.0.0',
    kind: 'mobile',
    scope: { secrets: 'all' },
    reveal: 'ask',
    createdAt: '2026-05-01T09:00:00.000Z',
    lastUsedAt: null,
    expiresAt: null,
    endedAt: null,
    endReason: null,
    status: 'live',
    ...over,
  }
}
