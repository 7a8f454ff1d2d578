import { defineAgent, type Agent } from '@agentmesh/sdk'
import { textSchema as text } from './schemas.js'
import { extractKeywords, summarize, type Keyword } from './text-analysis.js'

const language = {
  type: 'string',
  pattern: '^[a-z]{3}$',
  description: 'ISO 639-3 code (as text.language answers) for the stop words; default English',
} as const
const keyword = {
  type: 'object',
  additionalProperties: false,
  required: ['word', 'score', 'count'],
  properties: {
    word: { type: 'string', maxLength: 100 },
    score: { type: 'number', minimum: 0, maximum: 1 },
    count: { type: 'integer', minimum: 1 },
  },
} as const

/** An agent with two capabilities: keywords and an extractive summary of a text. */
export function textAnalystAgent(): Agent {
  return defineAgent({
    name: 'text-analyst',
    description: 'Keywords and extractive summaries, in any of 60 languages with stop-word lists',
    concurrency: 8,
    capabilities: [
      {
        id: 'text.keywords',
        description: 'The words a text is most about, by term frequency without stop words',
        tags: ['nlp', 'keywords', 'extraction'],
        input: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: { text, language, limit: { type: 'integer', minimum: 1, maximum: 20 } },
        },
        output: {
          type: 'object',
          additionalProperties: false,
          required: ['keywords'],
          properties: { keywords: { type: 'array', items: keyword } },
        },
        pricing: { model: 'per_call', amount: '0.001', currency: 'USD' },
        sla: { timeoutMs: 3000, p95LatencyMs: 50 },
        handler: (input: { text: string; language?: string; limit?: number }) => ({
          keywords: extractKeywords(input.text, input.language, input.limit ?? 5),
        }),
      },
      {
        id: 'text.summary',
        description:
          'An extractive summary: the sentences that weigh most, optionally by given keywords',
        tags: ['nlp', 'summary', 'extractive'],
        input: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: {
            text,
            language,
            sentences: { type: 'integer', minimum: 1, maximum: 10 },
            keywords: { type: 'array', maxItems: 50, items: keyword },
          },
        },
        output: {
          type: 'object',
          additionalProperties: false,
          required: ['summary', 'sentences', 'ratio'],
          properties: {
            summary: { type: 'string' },
            sentences: { type: 'array', items: { type: 'string' } },
            ratio: { type: 'number', minimum: 0 },
          },
        },
        pricing: { model: 'per_call', amount: '0.002', currency: 'USD' },
        sla: { timeoutMs: 3000, p95LatencyMs: 80 },
        handler: (input: {
          text: string
          language?: string
          sentences?: number
          keywords?: Keyword[]
        }) =>
          summarize(input.text, {
            language: input.language,
            count: input.sentences ?? 2,
            ...(input.keywords ? { keywords: input.keywords } : {}),
          }),
      },
    ],
  })
}
