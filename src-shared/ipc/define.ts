import type { z } from 'zod'

/**
 * One IPC channel: its wire name, the runtime schema of its input, and (as a type only)
 * its output. Main validates with `input`, the preload invokes `name`, and the renderer's
 * API type is derived from both, so nothing is declared twice.
 */
export interface Channel<N extends string, I extends z.ZodType, O> {
  readonly name: N
  readonly input: I
  /** Phantom: carries the output type, never set at runtime. */
  readonly output?: O
}

/** `channel<Out>()('domain:verb', schema)`: the output type is given, the rest inferred. */
export function channel<O>() {
  return <N extends string, I extends z.ZodType>(name: N, input: I): Channel<N, I, O> => ({ name, input })
}

export type AnyChannel = Channel<string, z.ZodType, unknown>
export type ChannelInput<C> = C extends Channel<string, infer I, unknown> ? z.input<I> : never
export type ChannelParsed<C> = C extends Channel<string, infer I, unknown> ? z.output<I> : never
export type ChannelOutput<C> = C extends Channel<string, z.ZodType, infer O> ? O : never
