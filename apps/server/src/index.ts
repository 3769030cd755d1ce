export * from "./config.ts";
export * from "./demo.ts";
export * from "./http-api.ts";
export * from "./passwords.ts";
export * from "./server.ts";
