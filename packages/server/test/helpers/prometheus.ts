import type { Registry } from 'prom-client'
import parsePrometheusTextFormat, {
  type PrometheusFamily,
  type PrometheusSample,
} from 'parse-prometheus-text-format'

/** Reads a node's `/metrics` and parses it as the Prometheus text format (throws if it is not). */
export async function scrape(url: string): Promise<Map<string, PrometheusFamily>> {
  const response = await fetch(`${url}/metrics`)
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`)
  const families = parsePrometheusTextFormat(await response.text())
  return new Map(families.map((family) => [family.name, family]))
}

/** The sample of a family whose labels include `labels`, if any. */
export function sample(
  families: Map<string, PrometheusFamily>,
  name: string,
  labels: Record<string, string> = {},
): PrometheusSample | undefined {
  return families
    .get(name)
    ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
}

/** The numeric value of that sample (not for histograms: the parser merges their label sets). */
export function value(
  families: Map<string, PrometheusFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = sample(families, name, labels)
  return found?.value === undefined ? undefined : Number(found.value)
}

/** How many observations a histogram holds for `labels`, read from the registry itself. */
export async function histogramCount(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name)
  if (!metric) return undefined
  // Histograms answer one value per bucket, sum and count, each named.
  const { values } = (await metric.get()) as {
    values: { labels: Record<string, string | number>; value: number; metricName?: string }[]
  }
  return values.find(
    (v) =>
      v.metricName === `${name}_count` &&
      Object.entries(labels).every(([k, want]) => v.labels[k] === want),
  )?.value
}
