import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { applyLocale, localeMessages, flattenMessages as flatten } from '../../src-renderer/i18n'
import { clearDelay } from '../../src-renderer/lib/clear-delay'
import { passwordStrength } from '../../src-renderer/lib/password-strength'
import CreateVaultView from '../../src-renderer/views/CreateVaultView.vue'
import UnlockView from '../../src-renderer/views/UnlockView.vue'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'
import { FakeSecrets } from './secrets.fake'

const PASSWORD = 'correct horse battery staple'

const all = localeMessages()
const english = flatten(all.en)
const portuguese = flatten(all['pt-BR'])
/**
 * The English words of the shell, vault and secrets areas (and the common words) that a
 * Portuguese screen must not show: the fixed part of each message (its text up to the first
 * placeholder), long enough not to match by chance, and not the same in both languages.
 */
const ENGLISH_ONLY = [...english]
  .filter(([key]) => /^(shell|vault|secrets|common)\./.test(key))
  .flatMap(([key, message]) => message.split(' | ').map((branch) => [key, branch.split('{')[0]!.trim()] as const))
  .filter(([key, text]) => text.length >= 6 && !portuguese.get(key)!.includes(text))

/** The English left on a screen, in its text and in what it says to screen readers and the mouse. */
function englishOn(wrapper: VueWrapper): string[] {
  const attributes = [...wrapper.element.querySelectorAll('[aria-label], [title], [placeholder]')]
    .flatMap((element) => ['aria-label', 'title', 'placeholder'].map((name) => element.getAttribute(name) ?? ''))
    .join('\n')
  const shown = `${wrapper.text()}\n${attributes}\n${document.title}`
  return ENGLISH_ONLY.filter(([, text]) => shown.includes(text)).map(([key, text]) => `${key}: ${text}`)
}

describe('the shell in Brazilian Portuguese', () => {
  let wrapper: VueWrapper | undefined
  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    applyLocale('en')
  })

  it('creates the vault in Portuguese, with the one required-field note and the strength in words', async () => {
    ;({ wrapper } = await mountWith(new FakeVault().api(), { component: CreateVaultView, path: '/create', locale: 'pt-BR' }))
    expect(wrapper.get('h1').text()).toBe('Crie seu cofre')
    expect(wrapper.text()).toContain('Os itens com asterisco são obrigatórios.')
    expect(wrapper.text()).toContain('Lembrar neste dispositivo')
    expect(wrapper.text()).toContain('O Keyhold não pode recuperar sua senha mestra.')
    const [password, confirm] = wrapper.findAll('input[type="password"]')
    expect(wrapper.find(`label[for="${password!.attributes('id')}"]`).text()).toBe('Senha mestra*')
    await password!.setValue('password123')
    expect(wrapper.text()).toContain('Força: fraca.')
    expect(wrapper.text()).toContain('Esta é uma das senhas mais comuns')
    await confirm!.setValue('password124')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('As duas senhas não coincidem.')
    expect(wrapper.get('button[type="submit"]').text()).toBe('Criar cofre')
    expect(englishOn(wrapper)).toEqual([])
  })

  it('unlocks in Portuguese, with the device offered', async () => {
    ;({ wrapper } = await mountWith(new FakeVault().existing(PASSWORD, { remembered: true }).api(), { component: UnlockView, path: '/unlock', locale: 'pt-BR' }))
    expect(wrapper.get('h1').text()).toBe('Desbloqueie seu cofre')
    expect(wrapper.text()).toContain('Desbloquear com este dispositivo')
    expect(wrapper.text()).toContain('ou use sua senha mestra')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('Digite sua senha mestra.')
    expect(englishOn(wrapper)).toEqual([])
  })

  it('shows home, the menus and the window title in Portuguese, and follows a change of language at once', async () => {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    ;({ wrapper } = await mountWith(fake.api(), { path: '/', locale: 'pt-BR' }))
    expect(wrapper.get('h1').text()).toBe('Boas-vindas ao Keyhold')
    const menu = wrapper.get('nav[aria-label="Principal"]')
    const links = menu.findAll('a').map((a) => a.text())
    expect([links[0], links.at(-1)]).toEqual(['Início', 'Configurações'])
    expect(links).toContain('Segredos de API')
    expect(menu.text()).toContain('Integrações')
    expect(wrapper.text()).toContain('Cofre desbloqueado')
    expect(wrapper.text()).toContain('Segredos de API: IDs e segredos do cliente')
    expect(wrapper.get('.keeps strong').text()).toBe('Segredos de API')
    expect(document.title).toBe('Início · Keyhold')
    await wrapper.get('button[aria-haspopup="menu"].user-button').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[role="menuitem"]').map((i) => i.text()).slice(-2)).toEqual(['Configurações', 'Bloquear'])
    expect(englishOn(wrapper)).toEqual([])

    applyLocale('en')
    await nextTick()
    expect(wrapper.get('h1').text()).toBe('Welcome to Keyhold')
    expect(wrapper.get('nav[aria-label="Main"]').findAll('a').at(-1)!.text()).toBe('Settings')
    expect(document.title).toBe('Home · Keyhold')
    // The check above finds English when there is some.
    expect(englishOn(wrapper)).toEqual(expect.arrayContaining(['shell.home.title: Welcome to Keyhold', 'shell.frame.vaultUnlocked: Vault unlocked']))
  })

  it('shows the API secrets report, its counts and its dialogs in Portuguese', async () => {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    const secrets = new FakeSecrets().add(2, (i) => ({ name: `Stripe ${i}`, tags: ['pagamentos', 'produção'] }))
    ;({ wrapper } = await mountWith(fake.api(secrets.api()), { path: '/api-secrets', locale: 'pt-BR' }))
    expect(wrapper.get('h1').text()).toBe('Segredos de API')
    expect(wrapper.get('.result-count').text()).toBe('2 segredos de API')
    expect(wrapper.get('#secrets-search').attributes('placeholder')).toBe('Pesquisar por nome, URL, ID do cliente, Identificador, método ou tag')
    expect(wrapper.findAll('thead th').map((th) => th.text())).toContain('Última atualização')
    expect(wrapper.text()).toContain('mais: produção')
    expect(englishOn(wrapper)).toEqual([])

    await wrapper.get('tbody .open').trigger('click')
    await flushPromises()
    const view = wrapper.get('dialog')
    expect(view.text()).toContain('Segredo do cliente')
    expect(view.find('[aria-label="Copiar ID do cliente"]').exists()).toBe(true)
    expect(englishOn(wrapper)).toEqual([])
    await view.findAll('button').find((b) => b.text() === 'Editar')!.trigger('click')
    await flushPromises()
    const form = wrapper.get('dialog')
    expect(form.get('h2').text()).toBe('Editar segredo de API')
    expect(form.text()).toContain('Os itens com asterisco são obrigatórios.')
    expect(form.text()).toContain('Deixe vazio para manter o segredo do cliente atual.')
    expect(englishOn(wrapper)).toEqual([])
  })

  it('words the strength hints and the clipboard delays in the language of the app', () => {
    applyLocale('pt-BR')
    expect(clearDelay(60_000)).toBe('1 minuto')
    expect(clearDelay(600_000)).toBe('10 minutos')
    expect(clearDelay(30_000)).toBe('30 segundos')
    expect(passwordStrength('short').hint).toMatch(/^Curta demais/)
    expect(passwordStrength('short').label).toBe('weak')
    applyLocale('en')
    expect(clearDelay(60_000)).toBe('1 minute')
    expect(clearDelay(1_000)).toBe('1 second')
    expect(clearDelay(90_000)).toBe('90 seconds')
    expect(passwordStrength('short').hint).toMatch(/^Too short/)
  })
})
