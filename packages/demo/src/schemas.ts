/** A text to work on, as the demo's text capabilities take it. */
export const textSchema = { type: 'string', minLength: 1, maxLength: 20_000 } as const

/** An input that is only a text. */
export const textInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: textSchema },
} as const
