import type { AnyChannel, ChannelInput, ChannelOutput } from './define'
import type { Result } from '../errors'
import { activityChannels } from './activity.contract'
import { agentChannels } from './agent.contract'
import { appsChannels } from './apps.contract'
import { browserChannels } from './browser.contract'
import { appKeysChannels } from './app-keys.contract'
import { secretsChannels } from './secrets.contract'
import { settingsChannels } from './settings.contract'
import { vaultChannels } from './vault.contract'

/**
 * Every IPC channel of Keyhold, keyed by the method name the preload exposes.
 * Each feature adds its `<feature>.contract.ts` here and nowhere else.
 */
export const contract = {
  ...vaultChannels,
  ...appKeysChannels,
  ...secretsChannels,
  ...appsChannels,
  ...settingsChannels,
  ...agentChannels,
  ...browserChannels,
  ...activityChannels,
} as const satisfies Record<string, AnyChannel>

export type Contract = typeof contract
export type Method = keyof Contract

/** The API the preload exposes as `window.keyhold`, derived from the contract. */
export type KeyholdApi = {
  [M in Method]: (input: ChannelInput<Contract[M]>) => Promise<Result<ChannelOutput<Contract[M]>>>
}

/** Wire name -> method name, for the handler wrapper and the test bridge. */
export const methodByChannel: ReadonlyMap<string, Method> = new Map(
  (Object.keys(contract) as Method[]).map((method) => [contract[method].name, method]),
)
