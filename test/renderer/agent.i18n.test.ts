import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import AgentPrompts from '../../src-renderer/components/agent/AgentPrompts.vue'
import { useAgentStore } from '../../src-renderer/stores/agent.store'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import type { AgentPrompt } from '../../src-shared/types/agent'
import { FakeAgent, FakeVault, pairingPrompt, terminalPrompt } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'

describe('the agent’s questions in Portuguese', () => {
  let wrapper: VueWrapper
  afterEach(() => wrapper.unmount())

  async function open(prompt: AgentPrompt): Promise<void> {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    const agent = new FakeAgent()
    agent.prompts = [prompt]
    ;({ wrapper } = await mountWith(fake.api({ ...agent.api(), secretsTags: async () => ({ ok: true, value: [] }) }), { component: AgentPrompts, locale: 'pt-BR' }))
    await useVaultStore().refresh()
    await useAgentStore().pollPrompts()
    await flushPromises()
  }

  it('asks to approve a device in Portuguese, with the device’s own words as given', async () => {
    await open(pairingPrompt({ claim: { device: { name: 'Pixel 8', platform: 'android' }, software: 'keyhold-android/1.0.0', kind: 'extension' } }))
    const text = wrapper.get('dialog').text()
    expect(wrapper.get('dialog h2').text()).toBe('Aprovar este dispositivo?')
    expect(wrapper.get('[data-testid="pairing-app"]').text()).toBe('Work phone · App de celular')
    for (const words of ['Segundo o dispositivo:', 'Extensão do navegador', 'Nunca expira', 'Frase de verificação', 'Todos os segredos de API', 'Não perguntar', 'Tempo restante:', 'Aprovar', 'Negar'])
      expect(text).toContain(words)
    expect(text).toContain('O dispositivo diz que é uma extensão do navegador, mas “Work phone” foi criado para um app de celular.')
    for (const english of ['Approve', 'Deny', 'As the device says', 'Check phrase', 'All API secrets', 'Time left', 'Never expires', 'Mobile app'])
      expect(text).not.toContain(english)
  })

  it('asks to allow a terminal in Portuguese, with its time in hours and minutes', async () => {
    await open(terminalPrompt())
    const text = wrapper.get('dialog').text()
    expect(wrapper.get('dialog h2').text()).toBe('Permitir que este terminal use o Keyhold?')
    expect(wrapper.get('[data-testid="terminal-grant"]').text()).toBe(
      'Os comandos deste terminal rodam sem a senha mestra até que ele fique ocioso por 10 minutos, que se passe um total de 12 horas ou que o Keyhold seja bloqueado.',
    )
    for (const words of ['Segundo o terminal:', 'Comando', 'Pasta', 'ID do processo', 'Permitir', 'Negar']) expect(text).toContain(words)
    for (const english of ['Allow', 'Deny', 'Command', 'Folder', 'Process ID', 'Commands from']) expect(text).not.toContain(english)
  })
})
