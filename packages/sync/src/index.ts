export * from "./auth-extension.ts";
export * from "./awareness-guard.ts";
export * from "./board-extension.ts";
export * from "./board-projector.ts";
export * from "./board-states.ts";
export * from "./bus.ts";
export * from "./close-error.ts";
export * from "./command-extension.ts";
export * from "./context.ts";
export * from "./coverage-extension.ts";
export * from "./draft-texts.ts";
export * from "./durable-documents.ts";
export * from "./encoded-state-cache.ts";
export * from "./first-sync-order.ts";
export * from "./follow-up-seen.ts";
export {
	type ClientMessage,
	type DecodedFrame,
	decodeFrame,
	SyncSteps,
} from "./frame-codec.ts";
export * from "./group-commit.ts";
export {
	CHECKED_HOCUSPOCUS_VERSION,
	hocuspocusApply,
	readAwarenessDirectly,
	type SwitchboardConfiguration,
	SwitchboardHocuspocus,
} from "./hocuspocus-seams.ts";
export * from "./limits-extension.ts";
export * from "./member-sockets.ts";
export * from "./membership-watcher.ts";
export * from "./message-guard.ts";
export * from "./note-mentions.ts";
export * from "./notification-delivery.ts";
export * from "./periodic-task.ts";
export * from "./presence-relay.ts";
export * from "./rate-limiter.ts";
export * from "./recorded-replies.ts";
export * from "./revocations.ts";
export * from "./sessions.ts";
export * from "./sync-metrics.ts";
export * from "./sync-socket.ts";
export * from "./tokens.ts";
