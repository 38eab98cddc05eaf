import { describe, expect, it } from 'vitest'
import { hostOf, mergeById, pageMatch, rankForPage, siteOf } from '../../extension/src/ranking'

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

  it('siteOf: the last two labels, three under a country second level; addresses are their own site', () => {
    expect(siteOf('dashboard.stripe.com')).toBe('stripe.com')
    expect(siteOf('stripe.com')).toBe('stripe.com')
    expect(siteOf('shop.example.co.uk')).toBe('example.co.uk')
    expect(siteOf('api.service.com.au')).toBe('service.com.au')
    expect(siteOf('a.b.example.io')).toBe('example.io')
    expect(siteOf('127.0.0.1')).toBe('127.0.0.1')
    expect(siteOf('[::1]')).toBe('[::1]')
    expect(siteOf('localhost')).toBe('localhost')
  })

  it("pageMatch: the page's host, its site, or nothing", () => {
    expect(pageMatch('https://dashboard.stripe.com/login', 'dashboard.stripe.com')).toBe('host')
    expect(pageMatch('https://api.stripe.com', 'dashboard.stripe.com')).toBe('site')
    expect(pageMatch('https://stripe.com.evil.example', 'dashboard.stripe.com')).toBeNull()
    expect(pageMatch('https://api.github.com', 'dashboard.stripe.com')).toBeNull()
    expect(pageMatch('https://api.stripe.com', null)).toBeNull()
    expect(pageMatch('', 'stripe.com')).toBeNull()
  })

  it("rankForPage: this host first, then this site, then the rest, each group in the agent's order", () => {
    const items = [
      { id: '1', url: 'https://api.github.com' },
      { id: '2', url: 'https://api.stripe.com' },
      { id: '3', url: 'https://a.example.com' },
      { id: '4', url: 'https://dashboard.stripe.com/x' },
      { id: '5', url: 'https://connect.stripe.com' },
    ]
    expect(rankForPage(items, 'dashboard.stripe.com').map((i) => i.id)).toEqual(['4', '2', '5', '1', '3'])
    expect(rankForPage(items, null).map((i) => i.id)).toEqual(['1', '2', '3', '4', '5'])
  })

  it("mergeById: the site's matches ahead of the whole list, each once", () => {
    expect(mergeById([{ id: 'b' }], [{ id: 'a' }, { id: 'b' }, { id: 'c' }]).map((i) => i.id)).toEqual(['b', 'a', 'c'])
  })
})
