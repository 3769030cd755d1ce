export * from "./auth-extension.ts";
export * from "./board-extension.ts";
export * from "./board-projector.ts";
export * from "./command-extension.ts";
export * from "./context.ts";
export * from "./durable-documents.ts";
export * from "./group-commit.ts";
export * from "./tokens.ts";
