export * from "./command-channel.ts";
