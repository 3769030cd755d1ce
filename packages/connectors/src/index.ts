export * from "./imported-mention.ts";
export * from "./triage.ts";
export * from "./twitter-care.ts";
