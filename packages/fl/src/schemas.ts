/**
 * JSON Schemas (draft 2020-12) for what travels between the node, trainers and validators: the
 * settings of a job and the secure-aggregation messages. Validate at the edge with these; the
 * package's functions then check meaning (base64, sizes, who may send what).
 */

const name = { type: 'string', minLength: 1, maxLength: 256 } as const
const seed = { type: 'integer', minimum: 0, maximum: 4294967295 } as const
const positive = { type: 'number', exclusiveMinimum: 0 } as const
const fraction = { type: 'number', minimum: 0, exclusiveMaximum: 1 } as const
const count = (maximum: number) => ({ type: 'integer', minimum: 0, maximum }) as const
/** Base64 of `bytes` bytes (with padding). */
const base64 = (bytes: number) =>
  ({
    type: 'string',
    pattern: '^[A-Za-z0-9+/]*={0,2}$',
    maxLength: 4 * Math.ceil(bytes / 3),
  }) as const

export const modelSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'inputs', 'classes', 'seed'],
  properties: {
    kind: { enum: ['logreg', 'mlp'] },
    inputs: { type: 'integer', minimum: 1, maximum: 4096 },
    classes: { type: 'integer', minimum: 2, maximum: 4096 },
    hidden: { type: 'array', maxItems: 8, items: { type: 'integer', minimum: 1, maximum: 4096 } },
    seed,
  },
} as const

export const trainConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['epochs', 'batchSize', 'learningRate', 'seed'],
  properties: {
    epochs: { type: 'integer', minimum: 1, maximum: 1000 },
    batchSize: { type: 'integer', minimum: 1, maximum: 65536 },
    learningRate: positive,
    momentum: fraction,
    seed,
    proximalMu: { type: 'number', minimum: 0 },
    weightDecay: { type: 'number', minimum: 0 },
  },
} as const

const byzantine = count(1000)

export const strategySpecSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { const: 'fedavg' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'mu'],
      properties: { name: { const: 'fedprox' }, mu: { type: 'number', minimum: 0 } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { const: 'fedadam' },
        learningRate: positive,
        beta1: fraction,
        beta2: fraction,
        tau: positive,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { const: 'median' }, byzantine },
    },
    ...(['trimmed-mean', 'krum'] as const).map(
      (strategy) =>
        ({
          type: 'object',
          additionalProperties: false,
          required: ['name', 'byzantine'],
          properties: { name: { const: strategy }, byzantine },
        }) as const,
    ),
    {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'byzantine'],
      properties: {
        name: { const: 'multi-krum' },
        byzantine,
        keep: { type: 'integer', minimum: 1 },
      },
    },
  ],
} as const

export const dpConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['clipNorm', 'noiseMultiplier'],
  properties: { clipNorm: positive, noiseMultiplier: positive },
} as const

export const secAggConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['context', 'trainers', 'threshold', 'scale', 'clip'],
  properties: {
    context: name,
    trainers: { type: 'array', minItems: 2, maxItems: 10000, uniqueItems: true, items: name },
    threshold: { type: 'integer', minimum: 2, maximum: 255 },
    neighbours: { type: 'integer', minimum: 2, maximum: 254 },
    scale: positive,
    clip: positive,
  },
} as const

export const keyAdvertisementSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['trainer', 'encryptionKey', 'maskingKey'],
  properties: { trainer: name, encryptionKey: base64(32), maskingKey: base64(32) },
} as const

/** A sealed share: 12-byte nonce, two 49-byte shares, 16-byte tag. */
const encryptedShareSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'ciphertext'],
  properties: { from: name, to: name, ciphertext: base64(12 + 98 + 16) },
} as const

export const shareKeysMessageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['trainer', 'shares'],
  properties: {
    trainer: name,
    shares: { type: 'array', maxItems: 254, items: encryptedShareSchema },
  },
} as const

/** A masked input of at most `length` numbers. */
export function maskedInputSchema(length: number) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['trainer', 'vector'],
    properties: { trainer: name, vector: base64(4 * length) },
  } as const
}

export const unmaskRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['survivors', 'dropped'],
  properties: {
    survivors: { type: 'array', maxItems: 10000, uniqueItems: true, items: name },
    dropped: { type: 'array', maxItems: 10000, uniqueItems: true, items: name },
  },
} as const

const revealedSharesSchema = {
  type: 'array',
  maxItems: 255,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['owner', 'share'],
    properties: { owner: name, share: base64(49) },
  },
} as const

export const revealMessageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['trainer', 'selfMaskShares', 'keyShares'],
  properties: {
    trainer: name,
    selfMaskShares: revealedSharesSchema,
    keyShares: revealedSharesSchema,
  },
} as const
