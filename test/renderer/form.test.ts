import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { z } from 'zod'
import FormField from '../../src-renderer/components/FormField.vue'
import { useForm } from '../../src-renderer/composables/form'
import { applyLocale } from '../../src-renderer/i18n'
import type { Result } from '../../src-shared/errors'
import { lineText } from '../../src-shared/text'

/** A request schema as the contracts write them: one-line text and a bounded list. */
const schema = z.strictObject({
  name: lineText('name', 20, { trim: true, empty: 'The name is required.' }),
  roles: z.array(z.string()).max(2, 'A key can have at most 2 roles.'),
})

/** A two-field form over useForm and FormField, answering with `answer` when it passes. */
function formWith(answer: () => Promise<Result<string>>, own: () => { roles?: string | false } = () => ({})) {
  return defineComponent({
    setup(_, { expose }) {
      const name = ref('')
      const roles = ref<string[]>([])
      const sent = ref<string | null>(null)
      const { errors, general, busy, check, send } = useForm(['name', 'roles'], () => ({ name: name.value, roles: roles.value }))
      async function submit(): Promise<void> {
        if (!(await check(schema, { name: name.value, roles: roles.value }, own()))) return
        sent.value = (await send(answer, (error) => (error.code === 'CONFLICT' ? 'name' : null))) ?? null
      }
      expose({ name, roles, sent, busy })
      return () =>
        h('form', { ref: 'form', onSubmit: (event: Event) => (event.preventDefault(), submit()) }, [
          h(FormField, { id: 'f-name', label: 'Name', required: true, hint: 'Unique.', error: errors.value.name }, {
            default: (control: Record<string, unknown>) => h('input', { ...control, value: name.value, onInput: (e: Event) => (name.value = (e.target as HTMLInputElement).value) }),
          }),
          h(FormField, { id: 'f-roles', label: 'Roles', group: true, error: errors.value.roles }, {
            default: () => h('button', { type: 'button', id: 'add-role' }, 'Add'),
          }),
          general.value ? h('p', { class: 'general' }, general.value) : null,
        ])
    },
  })
}

describe('useForm and FormField', () => {
  let wrapper: VueWrapper
  afterEach(() => wrapper?.unmount())

  async function open(answer: () => Promise<Result<string>>, own?: () => { roles?: string | false }): Promise<void> {
    wrapper = mount(formWith(answer, own), { attachTo: document.body })
    await flushPromises()
  }
  const submit = async () => {
    await wrapper.get('form').trigger('submit')
    await flushPromises()
  }
  const vm = () => wrapper.vm as unknown as { name: string; roles: string[]; sent: string | null; busy: boolean }

  it('labels the field with an asterisk and ties the input to its hint', async () => {
    await open(async () => ({ ok: true, value: 'sent' }))
    expect(wrapper.get('label[for="f-name"]').text()).toBe('Name*')
    expect(wrapper.get('label[for="f-name"] .required-mark').attributes('aria-hidden')).toBe('true')
    expect(wrapper.get('#f-name').attributes('aria-describedby')).toBe('f-name-hint')
    expect(wrapper.get('#f-name').attributes('aria-invalid')).toBeUndefined()
    expect(wrapper.get('fieldset legend').text()).toBe('Roles')
  })

  it('checks with the schema, in its words, next to each field, focusing the first; nothing is sent', async () => {
    let calls = 0
    await open(async () => (calls++, { ok: true, value: 'sent' }))
    vm().roles = ['a', 'b', 'c']
    await submit()
    expect(wrapper.get('#f-name-error').text()).toBe('The name is required.')
    expect(wrapper.get('#f-name').attributes('aria-invalid')).toBe('true')
    expect(wrapper.get('#f-name').attributes('aria-describedby')).toBe('f-name-error f-name-hint')
    expect(wrapper.get('#f-roles-error').text()).toBe('A key can have at most 2 roles.')
    expect(wrapper.get('fieldset').attributes('aria-invalid')).toBe('true')
    expect(document.activeElement?.id).toBe('f-name')
    expect(calls).toBe(0)
  })

  it('lets the form\'s own check win over the schema, and focuses a group\'s first control', async () => {
    await open(async () => ({ ok: true, value: 'sent' }), () => ({ roles: 'Add at least one role.' }))
    await wrapper.get('#f-name').setValue('Deploy bot')
    await submit()
    expect(wrapper.find('#f-name-error').exists()).toBe(false)
    expect(wrapper.get('#f-roles-error').text()).toBe('Add at least one role.')
    expect(document.activeElement?.id).toBe('add-role')
  })

  it('drops a field\'s error when that field changes, and only that one', async () => {
    await open(async () => ({ ok: true, value: 'sent' }))
    vm().roles = ['a', 'b', 'c']
    await submit()
    await wrapper.get('#f-name').setValue('x')
    expect(wrapper.find('#f-name-error').exists()).toBe(false)
    expect(wrapper.find('#f-roles-error').exists()).toBe(true)
    vm().roles = ['a']
    await flushPromises()
    expect(wrapper.find('#f-roles-error').exists()).toBe(false)
  })

  it('is busy while main works, and gives the value', async () => {
    let answer!: (result: Result<string>) => void
    await open(() => new Promise((resolve) => (answer = resolve)))
    await wrapper.get('#f-name').setValue('Deploy bot')
    await submit()
    expect(vm().busy).toBe(true)
    answer({ ok: true, value: 'sent' })
    await flushPromises()
    expect(vm().busy).toBe(false)
    expect(vm().sent).toBe('sent')
  })

  it('puts main\'s fields next to their fields, an error without fields where the form places it, and the rest under the form', async () => {
    const answers: Array<Result<string>> = [
      { ok: false, error: { code: 'INVALID_INPUT', message: 'Invalid input: whatever it says.', fields: { roles: 'Too many roles, says main.' } } },
      { ok: false, error: { code: 'CONFLICT', message: 'That name is taken.' } },
      { ok: false, error: { code: 'DISK_FULL', message: '' } },
    ]
    await open(async () => answers.shift()!)
    await wrapper.get('#f-name').setValue('Deploy bot')

    await submit()
    expect(wrapper.get('#f-roles-error').text()).toBe('Too many roles, says main.')
    expect(wrapper.find('#f-name-error').exists()).toBe(false)
    expect(wrapper.find('.general').exists()).toBe(false)

    await submit()
    expect(wrapper.get('#f-name-error').text()).toBe('That name is taken.')
    expect(wrapper.find('#f-roles-error').exists()).toBe(false)
    expect(document.activeElement?.id).toBe('f-name')

    ;(document.activeElement as HTMLElement).blur()
    await submit()
    expect(wrapper.get('.general').text()).toBe('The disk is full, so nothing was saved. Free some space and try again.')
    expect(wrapper.find('.field-error').exists()).toBe(false)
    expect(document.activeElement?.id).toBe('f-name')
  })

  it('shows the schema\'s and main\'s messages in the app\'s language; the form\'s own words as it gives them', async () => {
    applyLocale('pt-BR')
    try {
      const answers: Array<Result<string>> = [
        { ok: false, error: { code: 'INVALID_INPUT', message: 'Invalid input: roles A key can have at most 2 roles.', fields: { roles: 'A key can have at most 2 roles.' } } },
        { ok: false, error: { code: 'CONFLICT', message: 'A role named "Deploy bot" already exists. Choose another name.' } },
      ]
      await open(async () => answers.shift()!, () => ({ roles: vm().roles.length === 1 && 'Adicione outra função.' }))
      vm().roles = ['a', 'b', 'c']
      await submit()
      expect(wrapper.get('#f-name-error').text()).toBe('O nome é obrigatório.')
      expect(wrapper.get('#f-roles-error').text()).toBe('Uma chave pode ter no máximo 2 funções.')

      vm().roles = ['a']
      await wrapper.get('#f-name').setValue('Deploy bot')
      await submit()
      expect(wrapper.get('#f-roles-error').text()).toBe('Adicione outra função.')

      vm().roles = []
      await submit()
      expect(wrapper.get('#f-roles-error').text()).toBe('Uma chave pode ter no máximo 2 funções.')
      await submit()
      expect(wrapper.get('#f-name-error').text()).toBe('Já existe uma função chamada "Deploy bot". Escolha outro nome.')
    } finally {
      applyLocale('en')
    }
  })
})
