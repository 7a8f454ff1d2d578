import { moneySchema, parseMoney, type Money } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApi } from '../../src/api/build-api.js'
import type { RunningNode } from '../../src/node.js'
import { post, startTestNode } from '../helpers/test-node.js'

describe('input validation at the edge', () => {
  let node: RunningNode
  const challenge = () => `${node.url}/v1/auth/challenge`

  beforeAll(async () => {
    node = await startTestNode()
  })
  afterAll(() => node.stop())

  it('answers 400 INVALID_JSON for malformed JSON', async () => {
    const result = await post(challenge(), '{"did":')
    expect(result).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } })
  })

  it('answers 413 for a body over 1 MiB', async () => {
    const result = await post(challenge(), { did: 'x'.repeat(1024 * 1024 + 10) })
    expect(result).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } })
  })

  it('answers 400 UNKNOWN_FIELD for an unknown field, naming it', async () => {
    const did = 'did:key:z6MkqtqVxfcAVkiRCR75jcYixCCBGrkuWAVgKDsCUNi3Kjyp'
    const result = await post(challenge(), { did, admin: true })
    expect(result).toMatchObject({
      status: 400,
      body: { error: { code: 'UNKNOWN_FIELD', details: { field: 'admin' } } },
    })
  })

  it('answers 415 for a body that is not JSON', async () => {
    const response = await fetch(challenge(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    })
    expect(response.status).toBe(415)
  })

  it('answers 404 ROUTE_NOT_FOUND in the error format for an unknown route', async () => {
    const response = await fetch(`${node.url}/v1/nothing-here`)
    expect(response.status).toBe(404)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'ROUTE_NOT_FOUND',
    )
  })

  describe('money on a route that takes it', () => {
    let testApp: FastifyInstance

    beforeAll(async () => {
      // The node's own API builder (validators, error mapping) plus one route that takes money.
      testApp = await buildApi(node.context, {
        logger: node.logger,
        bodyLimitBytes: 1024 * 1024,
        dashboardDir: undefined,
      })
      testApp.post(
        '/test/price',
        {
          config: { access: 'public' },
          schema: {
            body: {
              type: 'object',
              additionalProperties: false,
              required: ['price'],
              properties: { price: moneySchema },
            },
          },
        },
        (request) => ({
          micros: parseMoney((request.body as { price: Money }).price).micros.toString(),
        }),
      )
    })
    afterAll(() => testApp.close())

    const send = (price: unknown) =>
      testApp.inject({ method: 'POST', url: '/test/price', payload: { price } })

    it.each(['1e3', '-1', '0.0000001', '1.', '01', '1000000000000000000'])(
      'answers 400 INVALID_AMOUNT for the amount %j',
      async (amount) => {
        const response = await send({ amount, currency: 'USD' })
        expect(response.statusCode).toBe(400)
        expect(response.json().error.code).toBe('INVALID_AMOUNT')
      },
    )

    it('answers 400 for a number where a decimal string belongs, never coercing it', async () => {
      const response = await send({ amount: 0.5, currency: 'USD' })
      expect(response.statusCode).toBe(400)
    })

    it('accepts a well-formed amount', async () => {
      const response = await send({ amount: '0.002', currency: 'USD' })
      expect(response.json()).toEqual({ micros: '2000' })
    })
  })
})
