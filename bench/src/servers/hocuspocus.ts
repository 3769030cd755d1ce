/**
 * Baseline: bare @hocuspocus/server with its defaults, no extensions, documents in memory.
 * Started by servers.ts as a child process; prints the port it listens on.
 */
import { Server } from "@hocuspocus/server";

const server = new Server({
	port: Number(process.env.PORT ?? 0),
	address: process.env.HOST ?? "127.0.0.1",
	// Only the start screen; everything else is the default configuration.
	quiet: true,
});
await server.listen();
process.stdout.write(`Hocuspocus is listening on port ${server.address.port}\n`);
