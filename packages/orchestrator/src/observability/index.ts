export * from "./logger";
export * from "./request-context";
export * from "./counters";
export * from "./tracing";
export * from "./process-metrics";
