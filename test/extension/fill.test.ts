// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import { fillFocusedField, unencryptedPage } from '../../extension/src/fill'

describe('fillFocusedField: runs in the page, writes only into the field the person selected', () => {
  beforeEach(() => {
    document.body.innerHTML = `<input id="id"><input id="secret" type="password"><input id="box" type="checkbox"><input id="ro" readonly><textarea id="notes"></textarea><button id="b">Go</button>`
  })

  it('sets the focused field and sends input and change, as typing would; nothing else changes', () => {
    const secret = document.getElementById('secret') as HTMLInputElement
    const events: string[] = []
    secret.addEventListener('input', () => events.push('input'))
    secret.addEventListener('change', () => events.push('change'))
    secret.focus()
    expect(fillFocusedField('sk_live_stripe')).toBe('filled')
    expect(secret.value).toBe('sk_live_stripe')
    expect(events).toEqual(['input', 'change'])
    expect((document.getElementById('id') as HTMLInputElement).value).toBe('')
  })

  it('fills a textarea too', () => {
    ;(document.getElementById('notes') as HTMLTextAreaElement).focus()
    expect(fillFocusedField('x')).toBe('filled')
    expect((document.getElementById('notes') as HTMLTextAreaElement).value).toBe('x')
  })

  it('nothing focused, a checkbox, a read-only field or a button: nothing is written, and it says why', () => {
    expect(fillFocusedField('x')).toBe('no-field')
    for (const id of ['box', 'ro', 'b']) {
      ;(document.getElementById(id) as HTMLElement).focus()
      expect(fillFocusedField('x')).toBe('not-editable')
    }
    expect((document.getElementById('ro') as HTMLInputElement).value).toBe('')
  })

  it('is self-contained, as chrome.scripting needs: its source names nothing outside itself but the DOM', () => {
    const source = fillFocusedField.toString()
    expect(source).not.toMatch(/\bimport\b|require\(|__vite|_ts_/)
  })
})

describe('unencryptedPage: Fill asks first on a plain http page from another computer', () => {
  it('http on another host asks; https, and http on this computer, do not', () => {
    expect(unencryptedPage('http://example.com/login')).toBe(true)
    expect(unencryptedPage('http://192.168.1.20:8080/')).toBe(true)
    expect(unencryptedPage('http://localhost.example.com/')).toBe(true)
    expect(unencryptedPage('https://example.com/login')).toBe(false)
    expect(unencryptedPage('http://localhost:3000/')).toBe(false)
    expect(unencryptedPage('http://app.localhost/')).toBe(false)
    expect(unencryptedPage('http://127.0.0.1:8080/login')).toBe(false)
    expect(unencryptedPage('http://[::1]:8080/')).toBe(false)
    expect(unencryptedPage(undefined)).toBe(false)
    expect(unencryptedPage('chrome://newtab')).toBe(false)
  })
})
