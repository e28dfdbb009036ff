// Test support: an SDK MeterProvider with a reader the test collects from by hand, and lookups over
// what it collected. Not part of the package.
import type { Attributes } from '@opentelemetry/api';
import {
  DataPointType,
  type HistogramMetricData,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';

/** A reader with no schedule: `collect()` is called by the test when it wants a snapshot. */
class ManualReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** One collected snapshot of every metric, with lookups by name and attributes. */
export class MetricSnapshot {
  constructor(readonly metrics: readonly MetricData[]) {}

  /** The metric called `name`, or an error naming the ones that exist. */
  metric(name: string): MetricData {
    const found = this.metrics.filter((metric) => metric.descriptor.name === name);
    if (found.length === 0) {
      const names = this.metrics.map((metric) => metric.descriptor.name).join(', ');
      throw new Error(`no metric ${name}; collected: ${names}`);
    }
    // Several nodes share one meter: their points are merged by the SDK into one metric.
    return found[0]!;
  }

  has(name: string): boolean {
    return this.metrics.some((metric) => metric.descriptor.name === name);
  }

  /** Points of a gauge or sum whose attributes include every given (key, value). */
  points(name: string, match: Attributes = {}): { value: number; attributes: Attributes }[] {
    const metric = this.metric(name);
    if (
      metric.dataPointType === DataPointType.HISTOGRAM ||
      metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM
    )
      throw new Error(`${name} is a histogram`);
    return metric.dataPoints
      .filter((point) => matches(point.attributes, match))
      .map((point) => ({ value: point.value as number, attributes: point.attributes }));
  }

  /** The single point of a gauge or sum matching `match`. */
  value(name: string, match: Attributes = {}): number {
    const points = this.points(name, match);
    if (points.length !== 1) {
      throw new Error(`${name} ${JSON.stringify(match)}: ${points.length} points, expected 1`);
    }
    return points[0]!.value;
  }

  /** Count and sum of a histogram over the points matching `match`. */
  histogram(name: string, match: Attributes = {}): { count: number; sum: number } {
    const metric = this.metric(name);
    if (metric.dataPointType !== DataPointType.HISTOGRAM) throw new Error(`${name} is not a histogram`);
    let count = 0;
    let sum = 0;
    for (const point of (metric as HistogramMetricData).dataPoints) {
      if (!matches(point.attributes, match)) continue;
      count += point.value.count;
      sum += point.value.sum ?? 0;
    }
    return { count, sum };
  }
}

function matches(attributes: Attributes, match: Attributes): boolean {
  return Object.entries(match).every(([key, value]) => attributes[key] === value);
}

/** A MeterProvider whose metrics the test collects on demand. */
export function metricCollector(): {
  meterProvider: MeterProvider;
  collect(): Promise<MetricSnapshot>;
  shutdown(): Promise<void>;
} {
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    meterProvider,
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new Error(`collection errors: ${errors.map(String).join('; ')}`);
      return new MetricSnapshot(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics));
    },
    shutdown: () => meterProvider.shutdown(),
  };
}
