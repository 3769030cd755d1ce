export * from "./api.ts";
export * from "./api-client.ts";
export { sessionEndReasonOf } from "./auth-errors.ts";
export { type ClientOptions, createSwitchboardClient, localDocumentName } from "./client.ts";
export * from "./command-channel.ts";
export { type QueuedCommand, UNSTAMPED_VERSION } from "./command-queue.ts";
export { describeRefusal, explainReject, isNoticeReject } from "./explain.ts";
export { IndexedDbQueueStore, queueDatabaseName } from "./indexeddb-queue-store.ts";
export { clearLocalData, isLocalDatabaseOf, localDocumentPrefix } from "./local-data.ts";
export { loadNoteDraft, saveNoteDraft } from "./note-drafts.ts";
export { memberColor, PRESENCE_COLORS, type PresenceUser } from "./presence.ts";
export * from "./reports-client.ts";
export {
	keptReviewComments,
	loadReviewComment,
	saveReviewComment,
} from "./review-comments.ts";
export { compareCodeUnits, compareIsoTimes } from "./sorted-mentions.ts";
