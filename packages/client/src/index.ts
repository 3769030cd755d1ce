export * from "./api.ts";
export * from "./command-channel.ts";
