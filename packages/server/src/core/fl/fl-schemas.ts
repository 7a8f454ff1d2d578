import {
  keyAdvertisementSchema,
  maskedInputSchema,
  revealMessageSchema,
  shareKeysMessageSchema,
} from '@agentmesh/fl'

/**
 * What the node accepts from trainers and validators, whatever their cards promise: JSON Schemas
 * with size limits (base64 parameters of the job's model, bounded numbers), the secure-aggregation
 * messages by `@agentmesh/fl`'s own schemas.
 */
const base64Of = (numbers: number) =>
  ({
    type: 'string',
    pattern: '^[A-Za-z0-9+/]*={0,2}$',
    maxLength: 4 * Math.ceil((numbers * 4) / 3),
  }) as const

/** A trainer's answer to `train`, for a model of `size` parameters. */
export const trainOutputSchema = (size: number) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['params', 'examples', 'loss'],
    properties: {
      params: base64Of(size),
      examples: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
      loss: { type: 'number', minimum: 0 },
    },
  }) as const

export const secAggSchemas = {
  advertise: keyAdvertisementSchema,
  share: shareKeysMessageSchema,
  mask: maskedInputSchema,
  reveal: revealMessageSchema,
} as const

const unit = { type: 'number', minimum: 0, maximum: 1 } as const

export const evaluationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['modelHash', 'accuracy', 'loss', 'examples', 'previousAccuracy', 'accept'],
  properties: {
    modelHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    accuracy: unit,
    loss: { type: 'number', minimum: 0 },
    examples: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
    previousAccuracy: unit,
    accept: { type: 'boolean' },
  },
} as const

export const signatureSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['signature'],
      properties: { signature: { type: 'string', minLength: 1, maxLength: 200 } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['refused'],
      properties: { refused: { type: 'string', maxLength: 500 } },
    },
  ],
} as const
