import {
  factAssertionSchema,
  MAX_FACTS_PER_ASSERTION,
  type AssertedFacts,
  type FactAssertion,
  type KnowledgePage,
  type KnowledgePaths,
} from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'

/** Most facts a query answers, and most paths a path query answers. */
const MAX_QUERY_LIMIT = 100
const MAX_PATHS = 20
/** Longest path a path query follows. */
const MAX_HOPS = 6

const term = { type: 'string', minLength: 1, maxLength: 256 } as const
const nullableNumber = { type: ['number', 'null'] } as const
const fact = {
  subject: { type: 'string' },
  relation: { type: 'string' },
  object: { type: 'string' },
  confidence: { type: 'number' },
} as const

const factView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    ...fact,
    provenance: {
      type: 'object',
      properties: {
        agent: { type: 'string' },
        taskId: { type: ['string', 'null'] },
        assertedAt: { type: 'string' },
        signature: { type: 'string' },
        reputation: { type: 'number' },
      },
    },
    usage: {
      type: 'object',
      properties: {
        reads: { type: 'integer' },
        tasks: { type: 'integer' },
        completed: { type: 'integer' },
        failed: { type: 'integer' },
        effectiveness: nullableNumber,
        ratings: {
          type: 'object',
          properties: { count: { type: 'integer' }, average: nullableNumber },
        },
      },
    },
  },
} as const

const hop = {
  type: 'object',
  properties: { factId: { type: 'string' }, agent: { type: 'string' }, ...fact },
} as const

interface QueryString {
  subject?: string
  relation?: string
  object?: string
  limit: number
  taskId?: string
}

/**
 * The knowledge graph: agents assert signed facts; anyone signed in reads them, ranked by the
 * asserting agents' reputation, and follows them from one node to another.
 */
export function knowledgeRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { facts } = ctx.knowledge
  app.post<{ Body: { facts: FactAssertion[] } }>(
    '/v1/knowledge',
    {
      config: { access: ['agent'] },
      schema: {
        tags: ['knowledge'],
        summary: "Assert facts signed by the caller's own key (agents only; all or none)",
        description:
          'Each fact is signed (base64url Ed25519) by its agent, the caller, over the canonical JSON {type:"agentmesh/fact/v1", agent, subject, relation, object, confidence, taskId?}. A signature that does not verify is 401 SIGNATURE_INVALID, a fact of another agent or of a task the caller did not work on 403 FACT_SIGNER_MISMATCH (details.index names it), too many facts held 409 KNOWLEDGE_LIMIT_REACHED; nothing is written then.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['facts'],
          properties: {
            facts: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_FACTS_PER_ASSERTION,
              items: factAssertionSchema,
            },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              facts: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { id: { type: 'string' }, created: { type: 'boolean' } },
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const result: AssertedFacts = await facts.assert(callerOf(request), request.body.facts)
      return reply.code(201).send(result)
    },
  )

  app.get<{ Querystring: QueryString }>(
    '/v1/knowledge',
    {
      schema: {
        tags: ['knowledge'],
        summary:
          "Facts by subject, relation and/or object, best-ranked by their agents' reputation",
        description:
          'Ranked by the asserting agent’s reputation, then confidence; each with its provenance and usage. Every fact answered counts one read. An agent working on a task passes taskId: the facts are then tied to the task, and its outcome and rating count for their effectiveness.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          anyOf: [{ required: ['subject'] }, { required: ['relation'] }, { required: ['object'] }],
          properties: {
            subject: term,
            relation: term,
            object: term,
            limit: { type: 'integer', minimum: 1, maximum: MAX_QUERY_LIMIT, default: 20 },
            taskId: { type: 'string', minLength: 1, maxLength: 128 },
          },
        },
        response: {
          200: { type: 'object', properties: { facts: { type: 'array', items: factView } } },
        },
      },
    },
    (request): Promise<KnowledgePage> => facts.query(callerOf(request), request.query),
  )

  app.get<{ Querystring: { from: string; to: string; maxHops: number; limit: number } }>(
    '/v1/knowledge/paths',
    {
      schema: {
        tags: ['knowledge'],
        summary: 'Shortest paths along facts (subject to object) from one node to another',
        description: `Breadth-first, at most maxHops (≤ ${MAX_HOPS}) facts long; the search stops at the node's limits on nodes reached and facts read, answering truncated: true.`,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: {
            from: term,
            to: term,
            maxHops: { type: 'integer', minimum: 1, maximum: MAX_HOPS, default: 3 },
            limit: { type: 'integer', minimum: 1, maximum: MAX_PATHS, default: 5 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              from: { type: 'string' },
              to: { type: 'string' },
              maxHops: { type: 'integer' },
              paths: { type: 'array', items: { type: 'array', items: hop } },
              visited: { type: 'integer' },
              truncated: { type: 'boolean' },
            },
          },
        },
      },
    },
    (request): Promise<KnowledgePaths> => facts.paths(request.query),
  )
}
