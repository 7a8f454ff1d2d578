import { MeshError } from './errors.js'

/** Micro-units per unit of currency: money has six decimals. */
export const MICROS_PER_UNIT = 1_000_000n

/** The largest amount accepted: eighteen integer digits. */
export const MAX_MONEY_MICROS = 10n ** 18n * MICROS_PER_UNIT - 1n

/** Money on the wire: a decimal string and an ISO-4217-like currency code. */
export interface Money {
  amount: string
  currency: string
}

const AMOUNT = /^(-?)(0|[1-9][0-9]{0,17})(?:\.([0-9]{1,6}))?$/
const CURRENCY = /^[A-Z][A-Z0-9]{2,9}$/

/**
 * Parses a decimal string into micro-units. Refuses numbers (floats lose money), exponents,
 * signs other than a leading minus (and that only with `allowNegative`), more than six decimals
 * and more than eighteen integer digits.
 */
export function parseAmount(amount: unknown, options: { allowNegative?: boolean } = {}): bigint {
  if (typeof amount !== 'string') {
    throw new MeshError('INVALID_AMOUNT', `Amount must be a decimal string, got ${typeof amount}`)
  }
  const match = AMOUNT.exec(amount)
  if (!match) {
    throw new MeshError(
      'INVALID_AMOUNT',
      `Amount "${amount}" is not a decimal with at most 18 integer digits and 6 decimals`,
    )
  }
  const [, sign, whole = '0', fraction = ''] = match
  const micros = BigInt(whole) * MICROS_PER_UNIT + BigInt(fraction.padEnd(6, '0'))
  if (sign === '-') {
    if (!options.allowNegative) {
      throw new MeshError('INVALID_AMOUNT', `Amount "${amount}" must not be negative`)
    }
    return -micros
  }
  return micros
}

/** Formats micro-units as the shortest decimal string that parses back to them. */
export function formatAmount(micros: bigint): string {
  const negative = micros < 0n
  const abs = negative ? -micros : micros
  const whole = abs / MICROS_PER_UNIT
  const fraction = (abs % MICROS_PER_UNIT).toString().padStart(6, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`
}

/** Validates a currency code (upper-case letters and digits, 3 to 10 long). */
export function parseCurrency(currency: unknown): string {
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) {
    throw new MeshError('INVALID_AMOUNT', `Currency "${String(currency)}" is not a currency code`)
  }
  return currency
}

/** Parses wire money into micro-units and currency. */
export function parseMoney(
  money: Money,
  options: { allowNegative?: boolean } = {},
): { micros: bigint; currency: string } {
  return { micros: parseAmount(money.amount, options), currency: parseCurrency(money.currency) }
}

/** Builds wire money from micro-units. */
export function toMoney(micros: bigint, currency: string): Money {
  return { amount: formatAmount(micros), currency }
}
