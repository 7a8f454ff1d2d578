import { defineAgent, type Agent } from '@agentmesh/sdk'
import { francAll } from 'franc-min'
import { textInputSchema } from './schemas.js'

/** What `text.language` answers. */
export interface LanguageResult {
  /** ISO 639-3 code (`fra`, `eng`…), or `und` when the text is too short to tell. */
  language: string
  /** The language's English name, or `undetermined`. */
  name: string
  /** The best guess's score, 0 to 1; the runner-up is near it when the guess is shaky. */
  confidence: number
  alternatives: { language: string; score: number }[]
}

const names = new Intl.DisplayNames('en', { type: 'language', fallback: 'code' })

/** Detects the language of a text among the 82 that franc-min knows (trigram profiles). */
export function detectLanguage(text: string): LanguageResult {
  const ranked = francAll(text, { minLength: 10 })
  const [best = ['und', 0]] = ranked
  const [language, confidence] = best
  return {
    language,
    name: language === 'und' ? 'undetermined' : (names.of(language) ?? language),
    confidence: Math.round(confidence * 1000) / 1000,
    alternatives: ranked
      .slice(1, 4)
      .filter(([code]) => code !== 'und')
      .map(([code, score]) => ({ language: code, score: Math.round(score * 1000) / 1000 })),
  }
}

/** An agent that tells which language a text is in. */
export function languageAgent(): Agent {
  return defineAgent({
    name: 'lingua',
    description: 'Detects the language of a text (82 languages, ISO 639-3 codes)',
    concurrency: 8,
    capabilities: [
      {
        id: 'text.language',
        description: 'Detects the language of a text; answers an ISO 639-3 code such as "fra"',
        tags: ['nlp', 'language', 'detection'],
        input: textInputSchema,
        output: {
          type: 'object',
          additionalProperties: false,
          required: ['language', 'name', 'confidence', 'alternatives'],
          properties: {
            language: { type: 'string', pattern: '^[a-z]{3}$' },
            name: { type: 'string' },
            confidence: { type: 'number', minimum: 0, maximum: 1 },
            alternatives: {
              type: 'array',
              items: {
                type: 'object',
                required: ['language', 'score'],
                properties: { language: { type: 'string' }, score: { type: 'number' } },
              },
            },
          },
        },
        pricing: { model: 'per_call', amount: '0.0005', currency: 'USD' },
        sla: { timeoutMs: 3000, p95LatencyMs: 50 },
        handler: ({ text }: { text: string }) => detectLanguage(text),
      },
    ],
  })
}
