import type { FastifyInstance } from 'fastify'
import { MAX_VALIDATORS } from '@agentmesh/protocol'
import type { CertificateProposal } from '../../core/certificates/certificate-service.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^cert_[0-9a-z_]{1,64}$' } },
} as const

const certificateView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
    certified: { type: 'boolean' },
    missing: { type: 'integer' },
    certificate: {
      type: 'object',
      properties: {
        decision: {},
        validators: { type: 'array', items: { type: 'string' } },
        f: { type: 'integer' },
        signatures: {
          type: 'array',
          items: {
            type: 'object',
            properties: { signer: { type: 'string' }, signature: { type: 'string' } },
          },
        },
      },
    },
  },
} as const

/**
 * Quorum certificates: an admin or validator proposes a decision and the validator set; each
 * named validator signs it with its own key; anyone holding the answer of `GET` checks it
 * offline with `agentmesh verify-certificate FILE`.
 */
export function certificateRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const certificates = ctx.proofs.certificates
  app.post<{ Body: CertificateProposal }>(
    '/v1/certificates',
    {
      schema: {
        tags: ['certificates'],
        summary: 'Propose a decision for a quorum certificate of named validators (n ≥ 3f+1)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['decision', 'validators', 'f'],
          properties: {
            decision: {},
            validators: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_VALIDATORS,
              items: { type: 'string', minLength: 1, maxLength: 256 },
            },
            f: { type: 'integer', minimum: 0, maximum: 85 },
          },
        },
        response: { 201: certificateView },
      },
    },
    async (request, reply) => {
      const view = await certificates.create(callerOf(request), request.body)
      return reply.code(201).send(view)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/certificates/:id',
    {
      schema: {
        tags: ['certificates'],
        summary: 'A certificate with its signatures (proposer, admin or a named validator)',
        params: idParams,
        response: { 200: certificateView },
      },
    },
    (request) => certificates.get(callerOf(request), request.params.id),
  )

  app.post<{ Params: { id: string }; Body: { signature: string } }>(
    '/v1/certificates/:id/signatures',
    {
      schema: {
        tags: ['certificates'],
        summary: "Add the caller's signature as one of the certificate's validators",
        description:
          'The signature is base64url Ed25519 by the caller over the canonical JSON {type:"agentmesh/quorum-certificate/v1", decision, validators, f}.',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['signature'],
          properties: { signature: { type: 'string', pattern: '^[A-Za-z0-9_-]{86}$' } },
        },
        response: { 200: certificateView },
      },
    },
    (request) => certificates.sign(callerOf(request), request.params.id, request.body.signature),
  )
}
