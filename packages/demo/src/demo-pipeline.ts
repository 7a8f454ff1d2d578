/** A pipeline definition, as the node's `POST /v1/pipelines/runs` takes it (the parts used here). */
export interface DemoPipelineDefinition {
  name: string
  budget: { amount: string; currency: string }
  steps: { id: string; capability: string; needs?: string[]; input: unknown; maxPrice?: string }[]
}

/**
 * The demo pipeline, as `examples/pipelines/demo.yaml` writes it (a test keeps the two equal):
 * detect the language, then sentiment and keywords in parallel, then a summary weighted by the
 * keywords.
 */
export const demoPipeline: DemoPipelineDefinition = {
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
