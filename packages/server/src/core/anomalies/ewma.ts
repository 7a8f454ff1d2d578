/**
 * An exponentially weighted mean and variance, updated one sample at a time in constant memory
 * (West's incremental form). Until it has seen `1 / alpha` samples it weighs them evenly, so its
 * first estimates are plain means rather than the first sample's echo.
 */
export class Ewma {
  readonly alpha: number
  mean = 0
  variance = 0
  count = 0

  constructor(alpha: number) {
    this.alpha = alpha
  }

  update(x: number): void {
    this.count++
    if (this.count === 1) {
      this.mean = x
      this.variance = 0
      return
    }
    const weight = Math.max(this.alpha, 1 / this.count)
    const diff = x - this.mean
    const step = weight * diff
    this.mean += step
    this.variance = (1 - weight) * (this.variance + diff * step)
  }

  get std(): number {
    return Math.sqrt(this.variance)
  }
}
