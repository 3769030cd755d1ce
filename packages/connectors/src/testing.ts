/** Stand-in servers for tests of code that talks to feeds, Mastodon, Bluesky or webhooks. */
export * from "./bluesky-stand-in.ts";
export * from "./free-port.ts";
export * from "./mastodon-stand-in.ts";
export * from "./stand-in-server.ts";
