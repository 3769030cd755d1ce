export * from "./admin-channel.ts";
export * from "./admin-operations.ts";
export * from "./admin-session.ts";
export * from "./config.ts";
export * from "./demo.ts";
export * from "./http-api.ts";
export * from "./ingest.ts";
export * from "./integrations.ts";
export * from "./invitations.ts";
export * from "./mailer.ts";
export * from "./members-csv.ts";
export * from "./notifications.ts";
export * from "./passwords.ts";
export * from "./people-api.ts";
export * from "./push.ts";
export {
	defaultRateLimits,
	RATE_LIMIT_VARIABLES,
	type RateLimits,
	type RateWindow,
} from "./rate-limits.ts";
export * from "./secret-box.ts";
export * from "./server.ts";
export * from "./webhook-dispatcher.ts";
