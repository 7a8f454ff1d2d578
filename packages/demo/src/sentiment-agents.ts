import { defineAgent, type Agent, type AgentCapability, type TaskContext } from '@agentmesh/sdk'
import Sentiment from 'sentiment'
import { pause } from './pause.js'
import { textInputSchema } from './schemas.js'

/** What `text.sentiment` answers: AFINN-165 scores of an English text. */
export interface SentimentResult {
  /** Sum of the AFINN scores of the words (negations flip a word's score). */
  score: number
  /** The score per word, so long and short texts compare. */
  comparative: number
  label: 'positive' | 'negative' | 'neutral'
  positive: string[]
  negative: string[]
}

const analyzer = new Sentiment()

/** Scores the sentiment of English text with the AFINN-165 word list. */
export function scoreSentiment(text: string): SentimentResult {
  const { score, comparative, positive, negative } = analyzer.analyze(text)
  return {
    score,
    comparative: Math.round(comparative * 1000) / 1000,
    label: score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral',
    positive: [...new Set(positive)],
    negative: [...new Set(negative)],
  }
}

/** The `text.sentiment` capability at a price and a promised latency. */
function sentimentCapability(
  amount: string,
  p95LatencyMs: number,
  handler: AgentCapability<{ text: string }, SentimentResult>['handler'],
): AgentCapability<{ text: string }, SentimentResult> {
  return {
    id: 'text.sentiment',
    description: 'Scores the sentiment of English text (AFINN-165 word list, with negation)',
    tags: ['nlp', 'sentiment', 'english'],
    input: textInputSchema,
    output: {
      type: 'object',
      additionalProperties: false,
      required: ['score', 'comparative', 'label', 'positive', 'negative'],
      properties: {
        score: { type: 'number' },
        comparative: { type: 'number' },
        label: { enum: ['positive', 'negative', 'neutral'] },
        positive: { type: 'array', items: { type: 'string' } },
        negative: { type: 'array', items: { type: 'string' } },
      },
    },
    pricing: { model: 'per_call', amount, currency: 'USD' },
    sla: { timeoutMs: 5000, p95LatencyMs },
    handler,
  }
}

/** The fast, pricier sentiment provider: it answers at once. */
export function expressSentimentAgent(): Agent {
  return defineAgent({
    name: 'sentiment-express',
    description: 'Sentiment scores for English text, answered at once',
    concurrency: 8,
    capabilities: [sentimentCapability('0.002', 50, ({ text }) => scoreSentiment(text))],
  })
}

/**
 * The slow, cheaper sentiment provider: the same scores at under half the price, after a queue
 * wait of 0.4–0.9 s (simulated, as a budget tier on shared hardware would have).
 */
export function thriftySentimentAgent(random: () => number = Math.random): Agent {
  return defineAgent({
    name: 'sentiment-thrifty',
    description: 'Sentiment scores for English text on a budget: slower, cheaper',
    concurrency: 4,
    capabilities: [
      sentimentCapability('0.0008', 1000, async ({ text }, ctx: TaskContext) => {
        await pause(400 + Math.floor(random() * 500), ctx.signal)
        return scoreSentiment(text)
      }),
    ],
  })
}
