import { nextTick, ref, shallowRef, useTemplateRef, watch, type ComponentPublicInstance } from 'vue'
import type { z } from 'zod'
import type { Result, SerializedError } from '../../src-shared/errors'
import { describeFields, describeIssues } from '../../src-shared/validation'
import { errorText } from '../api/errors'
import { translateCoreMessage } from '../i18n/core-messages'

/** A form's own check of one field: its message, or a falsy value when the field passes. */
export type OwnChecks<F extends string> = Partial<Record<F, string | false | null | undefined>>

/** What can take focus after an error: inputs, lists, text areas, then buttons (a list of roles). */
const CONTROLS = 'input:not([type="hidden"]):not(:disabled), select:not(:disabled), textarea:not(:disabled), button:not(:disabled)'

/**
 * One form's errors and busy state; every dialog and form that sends something to main
 * uses it. `check` validates with the contract's schema, the one main validates with, so
 * the form says what main would; an error from main puts each of its `fields` next to that
 * field. FormField shows a field's message and wires aria-invalid and aria-describedby;
 * focus goes to the first invalid field. An error about no field is `general`, shown under
 * the form, and focus goes to the first field, ready to try again.
 *
 * `fields` are the form's fields, named as the request names them; `values`, when given,
 * reads them, and a field's error goes as soon as it changes (the message was about what
 * it held). The template marks its <form>, or the FormDialog around it, with `ref="form"`.
 * The schemas' and main's messages are English (they are the CLI's too): they are shown in
 * the app's language (translateCoreMessage); the form's own checks are in its own words.
 */
export function useForm<F extends string>(fields: readonly F[], values?: () => Record<F, unknown>) {
  const formRef = useTemplateRef<HTMLFormElement | ComponentPublicInstance>('form')
  const form = (): Element | undefined => {
    const marked = formRef.value
    return marked instanceof Element ? marked : ((marked?.$el as Element | undefined)?.querySelector('form') ?? undefined)
  }
  const errors = shallowRef<Partial<Record<F, string>>>({})
  const general = ref<string | null>(null)
  const busy = ref(false)

  // Compared as JSON, so a field read as a new array each time (tags, a date and a time) counts as changed only when its content is.
  if (values)
    for (const field of fields)
      watch(
        () => JSON.stringify(values()[field]),
        () => {
          if (errors.value[field] === undefined) return
          const { [field]: _gone, ...rest } = errors.value
          errors.value = rest as Partial<Record<F, string>>
        },
      )

  function clear(): void {
    errors.value = {}
    general.value = null
  }

  /** Shows `found` next to their fields and `message` under the form, then moves focus. */
  async function show(found: Record<string, string>, message: string | null = null): Promise<void> {
    // A change made just before (a tag the box commits on Save) is seen first, so it cannot drop these errors.
    await nextTick()
    const placed: Partial<Record<F, string>> = {}
    const elsewhere: string[] = []
    for (const [field, text] of Object.entries(found))
      if ((fields as readonly string[]).includes(field)) placed[field as F] = text
      else elsewhere.push(text)
    errors.value = placed
    general.value = [message, ...elsewhere].filter(Boolean).join(' ') || null
    await nextTick()
    const invalid = form()?.querySelector<HTMLElement>('[aria-invalid="true"]')
    const target = invalid && !invalid.matches(CONTROLS) ? invalid.querySelector<HTMLElement>(CONTROLS) : (invalid ?? form()?.querySelector<HTMLElement>(CONTROLS))
    target?.focus()
  }

  /** Shows `message` next to `field`, or under the form for null, and moves focus there. */
  function fail(field: F | null, message: string): Promise<void> {
    return field === null ? show({}, message) : show({ [field]: message })
  }

  /**
   * Checks `input` with the contract's `schema`. `own` are the form's checks of what only it
   * knows (a choice not made, a password typed twice), in its words: a field's own message
   * wins over the schema's. True when everything passes; else the problems are shown.
   */
  async function check(schema: z.ZodType, input: unknown, own: OwnChecks<F> = {}): Promise<boolean> {
    clear()
    const parsed = schema.safeParse(input)
    const found = translated(parsed.success ? undefined : describeFields(parsed.error))
    for (const field of fields) if (own[field]) found[field] = own[field]
    if (parsed.success && Object.keys(found).length === 0) return true
    // A problem with the request as a whole names no field: main's own summary says it.
    await show(found, !parsed.success && !describeFields(parsed.error) ? translateCoreMessage(describeIssues(parsed.error)) : null)
    return false
  }

  /**
   * Runs `call`, busy meanwhile; gives its value, or undefined when it failed. Main's
   * `fields` go next to their fields; an error without them goes where `place` says (a
   * field, or null for under the form), in words (errorText).
   */
  async function send<T>(call: () => Promise<Result<T>>, place: (error: SerializedError) => F | null = () => null): Promise<T | undefined> {
    clear()
    busy.value = true
    const result = await call().finally(() => (busy.value = false))
    if (result.ok) return result.value
    const known = Object.keys(result.error.fields ?? {}).some((field) => (fields as readonly string[]).includes(field))
    await (known ? show(translated(result.error.fields)) : fail(place(result.error), errorText(result.error)))
    return undefined
  }

  return { errors, general, busy, clear, fail, check, send }
}

/** Each field's message (the schemas' or main's, in English) in the app's language. */
function translated(fields: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(fields ?? {}).map(([field, message]) => [field, translateCoreMessage(message)]))
}
