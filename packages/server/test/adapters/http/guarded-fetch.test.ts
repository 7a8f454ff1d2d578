import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { classifyAddress } from '../../../src/adapters/http/address-policy.js'
import {
  guardedFetch,
  resolveAllowed,
  type HostResolver,
} from '../../../src/adapters/http/guarded-fetch.js'

const strict = { allowPrivate: false, timeoutMs: 2000, maxResponseBytes: 1024 }
const open = { ...strict, allowPrivate: true }

describe('address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fd12:3456::1', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['224.0.0.1', 'multicast'],
  ])('classifies %s as %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind)
  })

  it.each(['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111'])(
    'lets the public address %s through',
    (address) => expect(classifyAddress(address)).toBeUndefined(),
  )
})

describe('resolveAllowed', () => {
  it.each([
    'http://127.0.0.1:9/card.json',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/.well-known/agent-card.json',
    'http://[::1]:80/',
    'http://0.0.0.0/',
  ])('refuses %s by default without resolving or connecting', async (url) => {
    const resolver = vi.fn<HostResolver>()
    await expect(resolveAllowed(new URL(url), strict, resolver)).rejects.toMatchObject({
      code: 'ADDRESS_NOT_ALLOWED',
    })
    expect(resolver).not.toHaveBeenCalled()
  })

  it('refuses a name when any address it resolves to is private', async () => {
    const resolver: HostResolver = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '10.1.2.3', family: 4 },
      ])
    await expect(
      resolveAllowed(new URL('https://agent.example/'), strict, resolver),
    ).rejects.toMatchObject({ code: 'ADDRESS_NOT_ALLOWED', details: { address: '10.1.2.3' } })
  })

  it('answers the checked address of a public name, to connect to it and nothing else', async () => {
    const resolver: HostResolver = () => Promise.resolve([{ address: '93.184.216.34', family: 4 }])
    await expect(
      resolveAllowed(new URL('https://agent.example/'), strict, resolver),
    ).resolves.toEqual({ address: '93.184.216.34', family: 4 })
  })

  it('refuses other schemes and credentials in the URL', async () => {
    await expect(resolveAllowed(new URL('file:///etc/passwd'), open)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
    await expect(resolveAllowed(new URL('http://u:p@127.0.0.1/'), open)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
  })

  it('allows loopback when the policy allows private addresses', async () => {
    await expect(resolveAllowed(new URL('http://127.0.0.1:1/'), open)).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    })
  })
})

describe('guardedFetch against a loopback server', () => {
  let server: Server
  let base: string
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/big') response.end('x'.repeat(4096))
      else if (request.url === '/slow') setTimeout(() => response.end('late'), 1000).unref()
      else if (request.url === '/redirect')
        response.writeHead(302, { location: 'http://169.254.169.254/' }).end()
      else response.end(JSON.stringify({ host: request.headers.host, method: request.method }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('refuses the loopback server by default', async () => {
    await expect(guardedFetch(strict)(`${base}/`)).rejects.toMatchObject({
      code: 'ADDRESS_NOT_ALLOWED',
    })
  })

  it('connects to the pinned address, keeping the host name in the Host header', async () => {
    const resolver: HostResolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }])
    const port = new URL(base).port
    const response = await guardedFetch(open, resolver)(`http://agent.test:${port}/`, {
      method: 'POST',
      body: '{}',
    })
    expect(await response.json()).toEqual({ host: `agent.test:${port}`, method: 'POST' })
  })

  it('stops reading at the size cap', async () => {
    await expect(guardedFetch(open)(`${base}/big`)).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    })
  })

  it('gives up at the deadline', async () => {
    await expect(guardedFetch({ ...open, timeoutMs: 50 })(`${base}/slow`)).rejects.toMatchObject({
      code: 'TIMEOUT',
    })
  })

  it('does not follow redirects', async () => {
    const response = await guardedFetch(open)(`${base}/redirect`)
    expect(response.status).toBe(302)
  })
})
