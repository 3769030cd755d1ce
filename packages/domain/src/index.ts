export * from "./board-doc.ts";
export * from "./documents.ts";
export * from "./draft-doc.ts";
export * from "./errors.ts";
export * from "./keyed-list.ts";
export * from "./lifecycle.ts";
export * from "./model.ts";
export * from "./protocol.ts";
