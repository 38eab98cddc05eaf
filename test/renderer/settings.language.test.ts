import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { currentLocale, type Locale } from '../../src-renderer/i18n'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import SettingsView from '../../src-renderer/views/SettingsView.vue'
import { FakeActivity } from './activity.fake'
import { FakeAgent, FakeVault, pairingSummary } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'
const STORED = 'keyhold.language'

/** Every section of Settings with something to show: a paired app, a browser row, the retention setting. */
async function open(locale: Locale = 'en'): Promise<VueWrapper> {
  const vault = new FakeVault().existing(PASSWORD)
  vault.state = 'unlocked'
  const agent = new FakeAgent()
  agent.pairings = [pairingSummary()]
  const api = vault.api({
    ...agent.api(),
    ...new FakeActivity().api(),
    settingsGet: async () => ({ ok: true, value: { clipboardClearSeconds: 30, autoLockMinutes: 10 } }),
    settingsUpdate: async (input) => ({ ok: true, value: { clipboardClearSeconds: 30, autoLockMinutes: 10, ...input } }),
    browserStatus: async () => ({
      ok: true,
      value: {
        available: true,
        problem: null,
        browsers: [{ browser: 'chrome', name: 'Google Chrome', manifest: '/home/me/.config/google-chrome/NativeMessagingHosts/keyhold.json', installed: false, ready: false }],
      },
    }),
  })
  const { wrapper } = await mountWith(api, { component: SettingsView, path: '/settings', locale })
  await useVaultStore().refresh()
  await flushPromises()
  return wrapper
}

describe('Settings > Language', () => {
  let wrapper: VueWrapper
  const select = () => wrapper.get<HTMLSelectElement>('select[name="language"]')
  const heading = (id: string) => wrapper.get(`#${id}`).text()

  beforeEach(() => {
    localStorage.clear()
    // The system speaks English, so "System default" is English here.
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['en-US'])
  })
  afterEach(() => {
    wrapper.unmount()
    localStorage.clear()
    vi.restoreAllMocks()
  })

  it('offers the system default and each language by its own name, starting from the stored choice', async () => {
    wrapper = await open()
    expect(heading('settings-language')).toBe('Language')
    expect(wrapper.get('label[for="settings-language-select"]').text()).toBe('Language of the app')
    expect(select().findAll('option').map((option) => [option.attributes('value'), option.text()])).toEqual([
      ['system', 'System default'],
      ['en', 'English'],
      ['pt-BR', 'Português (Brasil)'],
    ])
    expect(select().element.value).toBe('system')
    wrapper.unmount()

    localStorage.setItem(STORED, 'pt-BR')
    wrapper = await open()
    expect(select().element.value).toBe('pt-BR')
  })

  it('switches the whole page to Portuguese at once and keeps the choice, then back to the system default', async () => {
    wrapper = await open()
    expect(wrapper.get('h1').text()).toBe('Settings')
    expect(heading('settings-security')).toBe('Security')

    await select().setValue('pt-BR')
    await flushPromises()
    expect(localStorage.getItem(STORED)).toBe('pt-BR')
    expect(currentLocale()).toBe('pt-BR')
    expect(document.documentElement.lang).toBe('pt-BR')
    expect(wrapper.get('h1').text()).toBe('Configurações')
    expect(heading('settings-language')).toBe('Idioma')
    expect(heading('settings-security')).toBe('Segurança')
    expect(heading('settings-activity')).toBe('Registro de atividades')
    expect(heading('settings-connected')).toBe('Apps conectados')
    expect(heading('settings-browser')).toBe('Integração com o navegador')
    expect(wrapper.get('label[for="settings-language-select"]').text()).toBe('Idioma do app')
    expect(select().get('option[value="system"]').text()).toBe('Padrão do sistema')
    // The language names stay in their own language.
    expect(select().get('option[value="en"]').text()).toBe('English')
    expect(select().element.value).toBe('pt-BR')

    await select().setValue('system')
    await flushPromises()
    expect(localStorage.getItem(STORED)).toBe('system')
    expect(currentLocale()).toBe('en')
    expect(wrapper.get('h1').text()).toBe('Settings')
    expect(heading('settings-security')).toBe('Security')
    expect(select().get('option[value="system"]').text()).toBe('System default')
  })

  it('says a notice shown before a change of language in the new language', async () => {
    wrapper = await open()
    await wrapper.get('input[name="clipboardClearMinutes"]').setValue('2')
    await wrapper.get('input[name="clipboardClearSeconds"]').setValue('0')
    await wrapper.get('form[aria-labelledby="settings-clipboard"]').trigger('submit')
    await flushPromises()
    const notice = () => wrapper.get('form[aria-labelledby="settings-clipboard"] [role="status"]').text()
    expect(notice()).toBe('Settings saved. Copies are cleared from the clipboard after 2 minutes.')

    await select().setValue('pt-BR')
    await flushPromises()
    expect(notice()).toBe('Configurações salvas. As cópias são apagadas da área de transferência após 2 minutos.')
  })
})

describe('Settings in Portuguese', () => {
  let wrapper: VueWrapper
  afterEach(() => wrapper.unmount())

  it('shows every section in Portuguese, with no English of its own left', async () => {
    wrapper = await open('pt-BR')
    const text = wrapper.text()
    for (const words of [
      'Configurações',
      'Bloqueio automático',
      'Bloquear após (minutos sem atividade)',
      'Desbloquear com este dispositivo',
      'Desativado: a senha mestra é sempre pedida.',
      'Área de transferência',
      'Limpar a área de transferência após',
      'Alterar senha mestra',
      'Senha mestra atual',
      'Os itens com asterisco são obrigatórios.',
      'Trocar chave de criptografia',
      'Manter entradas por (dias)',
      '1 a 3.650; 365, a menos que você altere.',
      'Ativado: escutando em /run/user/1000/keyhold/c3a7f725f31ce7b0afc2.sock (0 conexões abertas).',
      'Celulares nesta rede',
      'Conexões ociosas',
      'Apps pareados',
      'Revogar todos',
      'App de celular',
      'Pixel 8 · Android',
      'Todos os segredos de API',
      'Pergunta',
      'Conectado',
      'Integração com o navegador',
      'Manifesto do host',
      'Ativar em todos os navegadores',
    ])
      expect(text).toContain(words)
    expect(wrapper.get('input[role="switch"][name="agentEnabled"]').element.closest('label')?.textContent).toContain(
      'Permitir que apps pareados e chaves de aplicação se conectem ao Keyhold',
    )
    for (const english of [
      'Security',
      'Auto-lock',
      'Unlock with this device',
      'Clipboard',
      'Change master password',
      'Rotate encryption key',
      'Activity log',
      'Keep entries for',
      'Connected apps',
      'Phones on this network',
      'Idle connections',
      'Paired apps',
      'Revoke',
      'Mobile app',
      'All API secrets',
      'Browser integration',
      'Turn on',
      'The items with an asterisk are mandatory.',
      'minutes',
      'seconds',
      'On:',
      'Off:',
    ])
      expect(text).not.toContain(english)
  })
})
