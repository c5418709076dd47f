/** Types for parse-prometheus-text-format, which ships none (used by tests/middleware_web.test.ts). */
declare module "parse-prometheus-text-format" {
  /** One parsed metric family. */
  interface MetricFamily {
    name: string;
    help: string;
    type: string;
    metrics: {
      labels?: Record<string, string>;
      value?: string;
      buckets?: Record<string, string>;
      count?: string;
      sum?: string;
    }[];
  }
  /** Parses Prometheus text exposition format. */
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
