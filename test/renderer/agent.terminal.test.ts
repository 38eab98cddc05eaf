import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import AgentPrompts from '../../src-renderer/components/agent/AgentPrompts.vue'
import { useAgentStore } from '../../src-renderer/stores/agent.store'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import type { AgentPrompt } from '../../src-shared/types/agent'
import { FakeAgent, FakeVault, pairingPrompt, terminalPrompt } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'
const SECOND = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'

describe('Allow this terminal to use Keyhold? (TerminalApprovalDialog)', () => {
  let agent: FakeAgent
  let wrapper: VueWrapper

  /** Mounts the dialogs over an unlocked vault whose agent asks `prompts`. */
  async function open(...prompts: AgentPrompt[]): Promise<void> {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    agent.prompts = prompts
    ;({ wrapper } = await mountWith(fake.api(agent.api()), { component: AgentPrompts }))
    await useVaultStore().refresh()
    await poll()
  }
  async function poll(): Promise<void> {
    await useAgentStore().pollPrompts()
    await flushPromises()
  }
  const dialog = () => wrapper.find('dialog')
  const button = (text: string) => wrapper.findAll('button').find((b) => b.text() === text)!
  const fact = (name: string) => wrapper.get(`[data-testid="terminal-${name}"]`)

  beforeEach(() => {
    agent = new FakeAgent()
  })
  afterEach(() => wrapper.unmount())

  it('shows what the terminal says about itself (the command in monospace, its folder, tty and process id) and what Allow gives', async () => {
    await open(terminalPrompt())
    expect(dialog().get('h2').text()).toBe('Allow this terminal to use Keyhold?')
    expect(dialog().text()).toContain('As the terminal says:')
    expect(fact('command').text()).toBe('keyhold secret get stripe')
    expect(fact('command').classes()).toContain('mono')
    expect(fact('folder').text()).toBe('/home/ada/src/shop')
    expect(fact('tty').text()).toBe('/dev/pts/3')
    expect(fact('pid').text()).toBe('4242')
    expect(fact('grant').text()).toBe(
      'Commands from this terminal run without the master password until it has been idle 10 minutes or 12 hours have passed, or Keyhold locks.',
    )
    expect(wrapper.get('[role="timer"]').text()).toMatch(/^[01]:\d\d$/)
    expect(wrapper.findAll('.dialog-footer button').map((b) => b.text())).toEqual(['Deny', 'Allow'])
  })

  it('says when the terminal is not known (no tty, or a system that does not tell), and shows what it sends as text, never as markup', async () => {
    const command = 'keyhold secret get <img src=x onerror="window.pwned=1">'
    await open(terminalPrompt({ claim: { command, cwd: '/tmp/<b>x</b>', tty: null, pid: 7 } }))
    expect(fact('tty').text()).toBe('Not known')
    expect(fact('command').text()).toBe(command)
    expect(dialog().find('img').exists()).toBe(false)
    expect(dialog().find('b').exists()).toBe(false)
  })

  it('starts with the focus on Deny, so Enter or Space denies', async () => {
    await open(terminalPrompt())
    expect(document.activeElement).toBe(button('Deny').element)
  })

  it('allows with Allow and denies with Deny; each answer closes the dialog', async () => {
    await open(terminalPrompt())
    await button('Allow').trigger('click')
    await flushPromises()
    expect(dialog().exists()).toBe(false)
    agent.prompts = [terminalPrompt({ id: SECOND })]
    await poll()
    await button('Deny').trigger('click')
    await flushPromises()
    expect(dialog().exists()).toBe(false)
    expect(agent.inputs('agentAnswerTerminal')).toEqual([
      { id: terminalPrompt().id, allow: true },
      { id: SECOND, allow: false },
    ])
  })

  it('denies on Escape (the dialog’s cancel) and on its close button', async () => {
    await open(terminalPrompt())
    await dialog().trigger('cancel')
    await flushPromises()
    expect(dialog().exists()).toBe(false)
    agent.prompts = [terminalPrompt({ id: SECOND })]
    await poll()
    await wrapper.get('button[aria-label="Close"]').trigger('click')
    await flushPromises()
    expect(agent.inputs('agentAnswerTerminal')).toEqual([
      { id: terminalPrompt().id, allow: false },
      { id: SECOND, allow: false },
    ])
    expect(dialog().exists()).toBe(false)
  })

  it('closes by itself when the question is withdrawn (no answer in time, the terminal left, the vault locked)', async () => {
    await open(terminalPrompt())
    expect(dialog().exists()).toBe(true)
    agent.prompts = []
    await poll()
    expect(dialog().exists()).toBe(false)
    expect(agent.inputs('agentAnswerTerminal')).toEqual([])
  })

  it('waits its turn behind a device to approve: one dialog at a time', async () => {
    await open(terminalPrompt(), pairingPrompt())
    expect(wrapper.findAll('dialog')).toHaveLength(1)
    expect(dialog().get('h2').text()).toBe('Approve this device?')
    await button('Deny').trigger('click')
    await flushPromises()
    expect(dialog().get('h2').text()).toBe('Allow this terminal to use Keyhold?')
    expect(document.activeElement).toBe(button('Deny').element)
  })
})
