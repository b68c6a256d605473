import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs, one object per line on stdout: `level`, `time`, `component`, `msg`,
 * and whatever fields the call adds (requestId, jobId, service, durationMs…). The level comes
 * from DOCGATE_LOG_LEVEL [info]; tests are silent unless they set it.
 */
export function createLogger(component: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const level = env.DOCGATE_LOG_LEVEL || (env.VITEST ? "silent" : "info");
  return pino({ level, base: { component }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } });
}

/** The `(line) => void` that older call sites take, writing structured lines. */
export function lineLogger(logger: Logger): (line: string) => void {
  return (line) => logger.info(line);
}
