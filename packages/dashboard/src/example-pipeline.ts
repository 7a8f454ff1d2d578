/**
 * The pipeline the Pipelines page starts with: the demo's own (`npm start` runs its agents), as
 * `examples/pipelines/demo.yaml` writes it — a server test keeps the two equal.
 */
export const examplePipeline = {
  name: 'text-insights',
  budget: { amount: '0.02', currency: 'USD' },
  steps: [
    {
      id: 'language',
      capability: 'text.language',
      input: { text: { $ref: '/input/text' } },
    },
    {
      id: 'sentiment',
      capability: 'text.sentiment',
      needs: ['language'],
      input: { text: { $ref: '/input/text' } },
      maxPrice: '0.005',
    },
    {
      id: 'keywords',
      capability: 'text.keywords',
      needs: ['language'],
      input: {
        text: { $ref: '/input/text' },
        language: { $ref: '/steps/language/output/language' },
        limit: 8,
      },
    },
    {
      id: 'summary',
      capability: 'text.summary',
      needs: ['sentiment', 'keywords'],
      input: {
        text: { $ref: '/input/text' },
        language: { $ref: '/steps/language/output/language' },
        keywords: { $ref: '/steps/keywords/output/keywords' },
        sentences: 2,
      },
    },
  ],
}
export const exampleInput = {
  text: 'agentmesh makes agents easy to find, call and pay. Agents publish what they can do, and anyone can search them, agree terms, call them with guarantees and prove afterwards what happened.',
}
