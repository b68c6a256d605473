import { context, propagation, trace, SpanStatusCode, type Span } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

let provider: NodeTracerProvider | null = null;

/**
 * OpenTelemetry traces, only when an OTLP endpoint is configured
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, HTTP/JSON). Without one
 * the API's no-op tracer is used and spans cost nothing. Returns whether tracing is on.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (provider) return true;
  const base = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (env.OTEL_EXPORTER_OTLP_ENDPOINT && `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, "")}/v1/traces`);
  if (!base) return false;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME || serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: base }), { scheduledDelayMillis: 1_000 })],
  });
  // Registers the global tracer and W3C trace-context propagation.
  provider.register();
  return true;
}

export async function stopTracing(): Promise<void> {
  const current = provider;
  provider = null;
  if (current) await current.shutdown().catch(() => undefined);
}

/** Sends whatever spans are waiting (tests, shutdown). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush().catch(() => undefined);
}

const tracer = () => trace.getTracer("docgate");

/** Runs `fn` in a span; a throw marks the span as an error. */
export async function inSpan<T>(name: string, attributes: Record<string, string | number | boolean>, fn: (span: Span) => Promise<T>, parent?: string): Promise<T> {
  const parentContext = parent ? propagation.extract(context.active(), { traceparent: parent }) : context.active();
  return tracer().startActiveSpan(name, { attributes }, parentContext, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active span's W3C `traceparent`, to carry into a job (undefined when not tracing). */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}
