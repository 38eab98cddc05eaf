import { contract, methodByChannel, type Contract, type Method } from '../../src-shared/ipc/contract'
import type { ChannelOutput, ChannelParsed } from '../../src-shared/ipc/define'
import { KeyholdError, toSerializedError, type Result } from '../../src-shared/errors'
import { invalidInput } from '../../src-shared/validation'

/** One implementation per contract method; input arrives already validated. */
export type Handlers = {
  [M in Method]: (input: ChannelParsed<Contract[M]>) => Promise<ChannelOutput<Contract[M]>> | ChannelOutput<Contract[M]>
}

/** Validated, Result-returning entry point shared by ipcMain and the test bridge. */
export type Dispatch = (channelName: string, rawInput: unknown) => Promise<Result<unknown>>

/**
 * The one wrapper every IPC call goes through (the sender check happens in the caller,
 * which alone knows the transport). It rejects unknown channels, validates the input
 * against the contract's schema (strict: extra keys, wrong types and `__proto__` are
 * INVALID_INPUT, each field's problem in `fields`), calls the handler, and turns whatever
 * is thrown into a value.
 * SECURITY: an unexpected exception becomes a generic INTERNAL message; its text, which
 * might quote a secret, never crosses the boundary and is never logged.
 */
export function createDispatch(handlers: Handlers, onActivity?: (method: Method) => void): Dispatch {
  return async (channelName, rawInput) => {
    const method = methodByChannel.get(channelName)
    if (!method) return fail('INVALID_INPUT', 'Keyhold does not know that request. Restart Keyhold.')
    const parsed = contract[method].input.safeParse(rawInput ?? {})
    if (!parsed.success) return { ok: false, error: invalidInput(parsed.error).toJSON() }
    try {
      onActivity?.(method)
      const handler = handlers[method] as (input: unknown) => unknown
      const value = await handler(parsed.data)
      return { ok: true, value: value === undefined ? null : value }
    } catch (error) {
      return { ok: false, error: toSerializedError(error) }
    }
  }
}

function fail(code: 'INVALID_INPUT', message: string): Result<never> {
  return { ok: false, error: new KeyholdError(code, message).toJSON() }
}

