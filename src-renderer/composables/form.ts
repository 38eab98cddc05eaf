import { computed, nextTick, ref, type Ref } from 'vue'
import type { Result, SerializedError } from '../../src-shared/errors'
import { errorText } from '../api/errors'

/** What an error can send focus back to: an input, or a component that exposes `focus()` (PasswordField). */
export interface Focusable {
  focus(): void
}

/**
 * One form's error and busy state, for the Settings forms that send the master password to
 * main. An error about a field sits next to it (the field gets aria-invalid and is described
 * by the message) and focus goes there; an error about no field (a full disk, say) is shown
 * under the form and focus goes to the first field, ready to try again. `fields` maps each
 * field's name to its template ref, the first field first; `idPrefix` makes the messages' ids.
 */
export function useFormErrors<F extends string>(idPrefix: string, fields: Record<F, Ref<Focusable | undefined>>) {
  const error = ref<{ field: F | null; message: string } | null>(null)
  const busy = ref(false)
  const first = Object.keys(fields)[0] as F

  /** Shows `message` next to `field` (under the form for null) and moves focus there. */
  async function fail(field: F | null, message: string): Promise<void> {
    error.value = { field, message }
    await nextTick()
    fields[field ?? first].value?.focus()
  }

  /**
   * Runs `call`, busy meanwhile. A failure is shown where `place` puts it (a field, or null
   * for under the form) and gives undefined; a success gives the value.
   */
  async function send<T>(call: () => Promise<Result<T>>, place: (error: SerializedError) => F | null): Promise<T | undefined> {
    error.value = null
    busy.value = true
    const result = await call().finally(() => (busy.value = false))
    if (result.ok) return result.value
    await fail(place(result.error), errorText(result.error))
    return undefined
  }

  /** The message next to `field`, if it has one. */
  const errorOn = (field: F): string | null => (error.value?.field === field ? error.value.message : null)
  const errorId = (field: F): string => `${idPrefix}-${field}-error`
  /** `field`'s aria-describedby: its message when it has one, then `hints` (ids). */
  const describedBy = (field: F, ...hints: string[]): string | undefined =>
    [errorOn(field) ? errorId(field) : undefined, ...hints].filter(Boolean).join(' ') || undefined
  /** The message about no field, shown under the form. */
  const general = computed(() => (error.value && error.value.field === null ? error.value.message : null))

  return { busy, fail, send, errorOn, errorId, describedBy, general, clear: () => (error.value = null) }
}
