declare module 'parse-prometheus-text-format' {
  /** One sample of a family; histograms carry buckets, count and sum instead of a value. */
  export interface PrometheusSample {
    value?: string
    labels?: Record<string, string>
    buckets?: Record<string, string>
    count?: string
    sum?: string
  }
  export interface PrometheusFamily {
    name: string
    help: string
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
    metrics: PrometheusSample[]
  }
  /** Parses the Prometheus text format; throws on a line that is not valid. */
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[]
}
