export * from "./documents.ts";
export * from "./errors.ts";
export * from "./lifecycle.ts";
export * from "./model.ts";
export * from "./protocol.ts";
