/**
 * A TCP port on 127.0.0.1 that nobody listens on right now, for a stand-in or a child
 * process that must be told its port before it starts (tests and benchmarks alike).
 */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			const port = typeof address === "object" && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}
