// OpenTelemetry traces: off unless the standard OTEL_EXPORTER_OTLP_ENDPOINT
// (or _TRACES_ENDPOINT) is set. The SDK reads the other standard settings
// itself (OTEL_TRACES_SAMPLER(_ARG), OTEL_EXPORTER_OTLP_HEADERS,
// OTEL_RESOURCE_ATTRIBUTES); this module picks the exporter by
// OTEL_EXPORTER_OTLP_PROTOCOL and names the service.

import { DiagLogLevel, diag, trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Logger } from 'pino';
import { ConfigError } from '../config.ts';

/** The gateway's spans come from this tracer; without a registered provider it records nothing. */
export const tracer = trace.getTracer('assistants-graphql-gateway');

export const defaultServiceName = 'assistants-graphql-gateway';

export interface Tracing {
  readonly enabled: boolean;
  /** Sends the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

const protocols = ['http/protobuf', 'http/json'] as const;

/** Registers a tracer provider when the environment asks for traces; a no-op otherwise. */
export async function startTracing(env: Env, logger: Logger): Promise<Tracing> {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') {
    return { enabled: false, shutdown: async () => {} };
  }
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  if (!(protocols as readonly string[]).includes(protocol)) {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL must be one of ${protocols.join(', ')}, got "${protocol}"`);
  }
  // The SDK's own complaints (a collector that cannot be reached, say) go to our log, not to nowhere.
  const sdkLogger = logger.child({ component: 'opentelemetry' });
  diag.setLogger(
    {
      error: (message) => sdkLogger.warn(message),
      warn: (message) => sdkLogger.warn(message),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  // Loaded only when traces are on: the SDK and its exporters are not small.
  const { BatchSpanProcessor, NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = await import(
    '@opentelemetry/resources'
  );
  const exporter: SpanExporter =
    protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  const provider = new NodeTracerProvider({
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over our default name.
    resource: defaultResource()
      .merge(resourceFromAttributes({ 'service.name': defaultServiceName }))
      .merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return { enabled: true, shutdown: () => provider.shutdown() };
}
