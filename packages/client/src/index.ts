export * from "./api.ts";
export * from "./api-client.ts";
export { type ClientOptions, createSwitchboardClient } from "./client.ts";
export * from "./command-channel.ts";
export { explainReject } from "./explain.ts";
export { memberColor, PRESENCE_COLORS, type PresenceUser } from "./presence.ts";
export * from "./reports-client.ts";
