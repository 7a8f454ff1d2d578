import { MeshError } from '@agentmesh/protocol'
import type { TaskContext } from '@agentmesh/sdk'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { demoAgents } from '../src/demo-agents.js'
import { detectLanguage } from '../src/language-agent.js'
import { evaluateExpression } from '../src/math-agent.js'
import { articles, conversions, reviews, sentences } from '../src/sample-inputs.js'
import { scoreSentiment } from '../src/sentiment-agents.js'
import { extractKeywords, summarize } from '../src/text-analysis.js'
import { convertUnits } from '../src/units-agent.js'

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run()
    return undefined
  } catch (error) {
    return error instanceof MeshError ? error.code : 'not a MeshError'
  }
}

describe('demo agents do real work', () => {
  it('scores sentiment with AFINN: glad text above zero, unhappy text below, negation flips', () => {
    expect(scoreSentiment('I love this').score).toBeGreaterThan(0)
    expect(scoreSentiment('I love this').label).toBe('positive')
    expect(scoreSentiment('This is terrible and I hate it').score).toBeLessThan(0)
    expect(scoreSentiment('The box is on the table').label).toBe('neutral')
    expect(scoreSentiment('I do not like it').score).toBeLessThan(0)
    expect(scoreSentiment('great, great, awful').positive).toEqual(['great'])
  })

  it('detects the language of a sentence', () => {
    expect(
      detectLanguage('Le chat dort sur le canapé pendant que la pluie tombe sur Paris.'),
    ).toMatchObject({ language: 'fra', name: 'French' })
    expect(
      detectLanguage('Der Zug nach München hat heute wieder zwanzig Minuten Verspätung.').language,
    ).toBe('deu')
    expect(detectLanguage(reviews[0]!).language).toBe('eng')
    expect(detectLanguage('ok')).toMatchObject({ language: 'und', name: 'undetermined' })
  })

  it('extracts the words a text is most about, skipping stop words in its language', () => {
    const keywords = extractKeywords(articles[0]!, 'eng', 3)
    expect(keywords[0]).toEqual({ word: 'energy', score: 1, count: 4 })
    expect(keywords.map((k) => k.word)).toContain('grid')
    const french = extractKeywords(articles[2]!, 'fra', 3).map((k) => k.word)
    expect(french[0]).toBe('abeilles')
    expect(french).not.toContain('les')
  })

  it('summarizes by the sentences that weigh most, kept in their order', () => {
    const summary = summarize(articles[1]!, { language: 'eng', count: 2 })
    expect(summary.sentences).toHaveLength(2)
    expect(summary.summary).toContain('bread')
    expect(summary.ratio).toBeGreaterThan(0)
    expect(summary.ratio).toBeLessThan(1)
    const order = summary.sentences.map((s) => articles[1]!.indexOf(s))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    // Given keywords steer the choice.
    const steered = summarize(articles[1]!, {
      count: 1,
      keywords: [{ word: 'apprentices', score: 1, count: 1 }],
    })
    expect(steered.sentences).toEqual([
      'The owner plans to train two apprentices so the bakery outlives her.',
    ])
  })

  it('evaluates arithmetic and refuses what could run away', () => {
    expect(evaluateExpression('2+3*4').value).toBe(14)
    expect(evaluateExpression('sqrt(16) + 2^3').value).toBe(12)
    expect(evaluateExpression('round(pi, 2)').text).toBe('3.14')
    expect(codeOf(() => evaluateExpression('1:1e9'))).toBe('INVALID_INPUT')
    expect(codeOf(() => evaluateExpression('f(x) = f(x) + f(x); f(1)'))).toBe('INVALID_INPUT')
    expect(codeOf(() => evaluateExpression('import({}, {})'))).toBe('INVALID_INPUT')
    expect(codeOf(() => evaluateExpression('1/0'))).toBe('INVALID_INPUT')
    expect(codeOf(() => evaluateExpression('2 +'))).toBe('INVALID_INPUT')
  })

  it('converts units within a dimension and refuses across dimensions', () => {
    expect(convertUnits(1, 'km', 'm').value).toBe(1000)
    expect(convertUnits(100, 'degF', 'degC').value).toBeCloseTo(37.7778, 4)
    expect(convertUnits(1, 'km', 'm').text).toBe('1 km = 1000 m')
    expect(codeOf(() => convertUnits(1, 'km', 'kg'))).toBe('INVALID_INPUT')
    expect(codeOf(() => convertUnits(1, 'furlongz', 'm'))).toBe('INVALID_INPUT')
  })

  it('offers two sentiment providers at different prices and speeds', () => {
    const sentiment = demoAgents()
      .flatMap((agent) => agent.definition.capabilities.map((c) => ({ agent, c })))
      .filter(({ c }) => c.id === 'text.sentiment')
    expect(sentiment.map(({ agent, c }) => [agent.definition.name, c.pricing.amount])).toEqual([
      ['sentiment-express', '0.002'],
      ['sentiment-thrifty', '0.0008'],
    ])
    expect(sentiment[0]!.c.sla.p95LatencyMs).toBeLessThan(sentiment[1]!.c.sla.p95LatencyMs!)
  })

  it('answers every sample input within its capability schemas', async () => {
    const ajv = new Ajv2020({ strict: false })
    const samples: Record<string, unknown> = {
      'text.sentiment': { text: reviews[1] },
      'text.language': { text: sentences[2] },
      'text.keywords': { text: articles[3], language: 'eng', limit: 4 },
      'text.summary': { text: articles[0], sentences: 1 },
      'math.evaluate': { expression: '(7 + 5) / 4' },
      'units.convert': conversions[0],
    }
    const ctx = { signal: new AbortController().signal } as TaskContext
    const seen: string[] = []
    for (const agent of demoAgents(() => 0)) {
      for (const capability of agent.definition.capabilities) {
        const input = samples[capability.id]
        expect(ajv.validate(capability.input, input), `${capability.id} input`).toBe(true)
        const output: unknown = await capability.handler(input, ctx)
        expect(ajv.validate(capability.output, output), JSON.stringify(ajv.errors)).toBe(true)
        seen.push(capability.id)
      }
    }
    expect(new Set(seen)).toEqual(new Set(Object.keys(samples)))
  })
})
