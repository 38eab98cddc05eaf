import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import AgentPrompts from '../../src-renderer/components/agent/AgentPrompts.vue'
import { useAgentStore } from '../../src-renderer/stores/agent.store'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import type { AgentPrompt } from '../../src-shared/types/agent'
import { FakeAgent, FakeVault, pairingPrompt } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'

const revealPrompt = (): AgentPrompt => ({
  id: '55555555-5555-4555-8555-555555555555',
  kind: 'reveal',
  pairing: { id: 'p', appName: 'Work phone', deviceName: 'Pixel 8' },
  secret: { id: 's', name: 'Stripe prod' },
  deadline: new Date(Date.now() + 60_000).toISOString(),
})

describe('the agent’s questions (AgentPrompts)', () => {
  let agent: FakeAgent
  let wrapper: VueWrapper

  /** Mounts the dialogs over an unlocked vault whose agent asks `prompts`. */
  async function open(...prompts: AgentPrompt[]): Promise<void> {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    agent.prompts = prompts
    ;({ wrapper } = await mountWith(
      fake.api({ ...agent.api(), secretsTags: async () => ({ ok: true, value: [{ tag: 'prod', count: 2 }, { tag: 'ci', count: 1 }] }) }),
      { component: AgentPrompts },
    ))
    await useVaultStore().refresh()
    await poll()
  }
  async function poll(): Promise<void> {
    await useAgentStore().pollPrompts()
    await flushPromises()
  }
  const dialog = () => wrapper.find('dialog')
  const button = (text: string) => wrapper.findAll('button').find((b) => b.text() === text)!
  const radio = (label: string) => wrapper.findAll('label').find((l) => l.text() === label)!.get('input')

  beforeEach(() => {
    agent = new FakeAgent()
  })
  afterEach(() => {
    wrapper.unmount()
    vi.useRealTimers()
  })

  it('shows the application as My apps names it, what the device says, and the check phrase', async () => {
    await open(pairingPrompt())
    expect(dialog().get('h2').text()).toBe('Approve this device?')
    expect(wrapper.get('[data-testid="pairing-app"]').text()).toBe('Work phone · Mobile app')
    expect(wrapper.get('[data-testid="pairing-device"]').text()).toBe('Pixel 8 · Android')
    expect(dialog().text()).toContain('As the device says:')
    expect(dialog().text()).toContain('keyhold-android/1.0.0')
    expect(dialog().text()).toContain('Never expires')
    expect(wrapper.get('[data-testid="check-phrase"]').text()).toBe('acorn bagel cider drum')
    expect(dialog().text()).toContain('Approve only if the device shows the same four words.')
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
  })

  it('warns when the device says it is not what the application was made for, and when another device tried the key', async () => {
    await open(pairingPrompt({ claim: { device: { name: 'build-box', platform: 'linux' }, software: 'keyhold/1.0.0', kind: 'cli' }, contested: true }))
    const alerts = wrapper.findAll('[role="alert"]').map((a) => a.text())
    expect(alerts).toEqual([
      'The device says it is a terminal, but “Work phone” was made for a mobile app. Deny unless you expected this.',
      'Another device also tried this key — deny unless you are sure.',
    ])
  })

  it('shows what the device sends as text, never as markup', async () => {
    const name = '<img src=x onerror="window.pwned=1">'
    await open(pairingPrompt({ claim: { device: { name, platform: 'other' }, software: '<b>x</b>', kind: 'mobile' } }))
    expect(wrapper.get('[data-testid="pairing-device"]').text()).toBe(`${name} · Other`)
    expect(dialog().find('img').exists()).toBe(false)
    expect(dialog().find('b').exists()).toBe(false)
  })

  it('approves all API secrets, asking before each reveal, unless the person chooses otherwise', async () => {
    await open(pairingPrompt())
    expect((radio('All API secrets').element as HTMLInputElement).checked).toBe(true)
    expect((radio('Ask on this computer each time').element as HTMLInputElement).checked).toBe(true)
    await button('Approve').trigger('click')
    await flushPromises()
    expect(agent.inputs('agentAnswerPairing')).toEqual([
      { id: pairingPrompt().id, approved: true, scope: { secrets: 'all' }, reveal: 'ask' },
    ])
    expect(dialog().exists()).toBe(false)
  })

  it('approves only the tags chosen, picked from the vault’s tags or typed, and asks for one first', async () => {
    await open(pairingPrompt())
    await radio('Only API secrets tagged …').setValue(true)
    await button('Approve').trigger('click')
    await flushPromises()
    expect(wrapper.get('#pairing-scope-error').text()).toBe('Choose at least one tag, or let the app read all API secrets.')
    expect(agent.inputs('agentAnswerPairing')).toEqual([])

    await wrapper.get('button[aria-label="Add tag prod"]').trigger('click')
    expect(wrapper.find('button[aria-label="Add tag prod"]').exists()).toBe(false)
    await wrapper.get('#pairing-tags').setValue('payments')
    await wrapper.get('#pairing-tags').trigger('keydown', { key: 'Enter' })
    expect(agent.inputs('agentAnswerPairing')).toEqual([])
    expect(wrapper.find('#pairing-scope-error').exists()).toBe(false)
    await radio('Don’t ask').setValue(true)
    await button('Approve').trigger('click')
    await flushPromises()
    expect(agent.inputs('agentAnswerPairing')).toEqual([
      { id: pairingPrompt().id, approved: true, scope: { secrets: 'tagged', tags: ['prod', 'payments'] }, reveal: 'allow' },
    ])
  })

  it('denies with Deny, and when the dialog is closed', async () => {
    await open(pairingPrompt())
    await button('Deny').trigger('click')
    await flushPromises()
    expect(dialog().exists()).toBe(false)
    agent.prompts = [pairingPrompt({ id: '66666666-6666-4666-8666-666666666666' })]
    await poll()
    await wrapper.get('button[aria-label="Close"]').trigger('click')
    await flushPromises()
    expect(agent.inputs('agentAnswerPairing')).toEqual([
      { id: pairingPrompt().id, approved: false },
      { id: '66666666-6666-4666-8666-666666666666', approved: false },
    ])
    expect(dialog().exists()).toBe(false)
  })

  it('closes by itself when the question goes away (answered elsewhere, timed out, the device gave up)', async () => {
    await open(pairingPrompt())
    expect(dialog().exists()).toBe(true)
    agent.prompts = []
    await poll()
    expect(dialog().exists()).toBe(false)
    expect(agent.inputs('agentAnswerPairing')).toEqual([])
  })

  it('counts down to main’s deadline in minutes and seconds', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    await open(pairingPrompt({ deadline: new Date(Date.now() + 65_000).toISOString() }))
    expect(wrapper.get('[role="timer"]').text()).toBe('1:05')
    await vi.advanceTimersByTimeAsync(2_000)
    expect(wrapper.get('[role="timer"]').text()).toBe('1:03')
    await vi.advanceTimersByTimeAsync(70_000)
    expect(wrapper.get('[role="timer"]').text()).toBe('0:00')
  })

  it('asks before a reveal: who wants which client secret, and Allow for 10 minutes, Allow once or Deny', async () => {
    await open(revealPrompt())
    expect(dialog().get('h2').text()).toBe('Show a client secret to a device?')
    expect(wrapper.get('[data-testid="reveal-question"]').text()).toBe('Pixel 8 (Work phone) wants the client secret of “Stripe prod”.')
    expect(wrapper.get('[role="timer"]').text()).toMatch(/^[01]:\d\d$/)
    await button('Allow for 10 minutes').trigger('click')
    await flushPromises()
    expect(dialog().exists()).toBe(false)

    for (const [id, act] of [
      ['77777777-7777-4777-8777-777777777777', () => button('Allow once').trigger('click')],
      ['88888888-8888-4888-8888-888888888888', () => wrapper.get('button[aria-label="Close"]').trigger('click')],
    ] as const) {
      agent.prompts = [{ ...revealPrompt(), id }]
      await poll()
      await act()
      await flushPromises()
    }
    expect(agent.inputs('agentAnswerReveal')).toEqual([
      { id: revealPrompt().id, decision: 'ten-minutes' },
      { id: '77777777-7777-4777-8777-777777777777', decision: 'once' },
      { id: '88888888-8888-4888-8888-888888888888', decision: 'deny' },
    ])
  })
})
