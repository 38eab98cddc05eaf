import { describe, expect, it } from 'vitest'
import { domainOf, hostOf, mergeById, pageMatch, rankForPage } from '../../extension/src/ranking'

describe('ranking API secrets for the page in front of the person', () => {
  it('hostOf: the lower-case host of an http(s) URL, also without its scheme; null for anything else', () => {
    expect(hostOf('https://API.Stripe.com/v1/charges')).toBe('api.stripe.com')
    expect(hostOf('api.github.com')).toBe('api.github.com')
    expect(hostOf('http://127.0.0.1:8080/login')).toBe('127.0.0.1')
    expect(hostOf('localhost:3000/x')).toBe('localhost')
    expect(hostOf('https://example.com./')).toBe('example.com')
    expect(hostOf('chrome-extension://abc/popup.html')).toBeNull()
    expect(hostOf('ftp://files.example.com')).toBeNull()
    expect(hostOf('')).toBeNull()
    expect(hostOf(undefined)).toBeNull()
    expect(hostOf('not a url at all')).toBeNull()
  })

  it('domainOf: the registrable domain by the Public Suffix List, or the host itself for an IP, localhost or an unknown name', () => {
    expect(domainOf('www.stripe.com')).toBe('stripe.com')
    expect(domainOf('stripe.com')).toBe('stripe.com')
    expect(domainOf('dashboard.stripe.com')).toBe('stripe.com')
    expect(domainOf('www.example.co.uk')).toBe('example.co.uk')
    expect(domainOf('mine.github.io')).toBe('mine.github.io')
    expect(domainOf('localhost')).toBe('localhost')
    expect(domainOf('127.0.0.1')).toBe('127.0.0.1')
  })

  it("pageMatch: the page's host, the page's site, or nothing", () => {
    expect(pageMatch('https://dashboard.stripe.com/login', 'dashboard.stripe.com')).toBe('host')
    expect(pageMatch('https://api.stripe.com/v1', 'dashboard.stripe.com')).toBe('domain')
    expect(pageMatch('https://shop.example.co.uk', 'other.example.co.uk')).toBe('domain')
    expect(pageMatch('https://stripe.com/login', 'www.stripe.com')).toBe('domain')
    expect(pageMatch('https://www.stripe.com', 'stripe.com')).toBe('domain')
    expect(pageMatch('https://stripe.com.evil.example', 'dashboard.stripe.com')).toBeNull()
    expect(pageMatch('https://api.github.com', 'dashboard.stripe.com')).toBeNull()
    expect(pageMatch('https://api.stripe.com', null)).toBeNull()
    expect(pageMatch('', 'stripe.com')).toBeNull()
  })

  it("SECURITY: a stranger's page under a shared suffix is never the same site (github.io, vercel.app, herokuapp.com, co.uk)", () => {
    const strangers: Array<[string, string]> = [
      ['https://mine.github.io', 'evil.github.io'],
      ['https://my-app.vercel.app', 'evil-app.vercel.app'],
      ['https://my-api.herokuapp.com', 'phish.herokuapp.com'],
      ['https://shop.example.co.uk', 'evil.co.uk'],
      ['https://api.service.com.au', 'evil.com.au'],
      ['https://my-site.netlify.app', 'evil.netlify.app'],
    ]
    for (const [secret, page] of strangers) expect(pageMatch(secret, page), `${secret} on ${page}`).toBeNull()
    const items = [
      { id: 'other', url: 'https://api.github.com' },
      { id: 'mine', url: 'https://mine.github.io/admin' },
    ]
    expect(rankForPage(items, 'evil.github.io').map((i) => i.id)).toEqual(['other', 'mine'])
  })

  it("rankForPage: this host first, then this site, then the rest, each group in the agent's order", () => {
    const items = [
      { id: '1', url: 'https://api.github.com' },
      { id: '2', url: 'https://api.stripe.com' },
      { id: '3', url: 'https://stripe.com' },
      { id: '4', url: 'https://www.stripe.com/x' },
      { id: '5', url: 'https://connect.stripe.com' },
    ]
    expect(rankForPage(items, 'www.stripe.com').map((i) => i.id)).toEqual(['4', '2', '3', '5', '1'])
    expect(rankForPage(items, null).map((i) => i.id)).toEqual(['1', '2', '3', '4', '5'])
  })

  it("mergeById: the page's matches ahead of the whole list, each once", () => {
    expect(mergeById([{ id: 'b' }], [{ id: 'a' }, { id: 'b' }, { id: 'c' }]).map((i) => i.id)).toEqual(['b', 'a', 'c'])
  })
})
