export * from "./api.ts";
export * from "./api-client.ts";
export { type ClientOptions, createSwitchboardClient } from "./client.ts";
export * from "./command-channel.ts";
export { type QueuedCommand, UNSTAMPED_VERSION } from "./command-queue.ts";
export { explainReject } from "./explain.ts";
export { IndexedDbQueueStore, queueDatabaseName } from "./indexeddb-queue-store.ts";
export { memberColor, PRESENCE_COLORS, type PresenceUser } from "./presence.ts";
export * from "./reports-client.ts";
