export * from "./allowlist";
export * from "./arguments";
export * from "./breaker";
export * from "./clients";
export * from "./register";
