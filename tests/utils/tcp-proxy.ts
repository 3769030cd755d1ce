/**
 * A TCP proxy the test controls: in front of PostgreSQL to take the database away from
 * a server (without stopping the shared PostgreSQL), or in front of a server instance as
 * a load balancer that fails over to another one.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
	port: number;
	/** Drop every open connection and refuse new ones, as a stopped database does. */
	cut(): void;
	/** Accept and forward again. */
	restore(): void;
	/** Forward new connections to another port; open ones are dropped. */
	retarget(port: number): void;
	readonly connections: number;
	close(): Promise<void>;
}

export async function startTcpProxy(
	targetPort: number,
	targetHost = "127.0.0.1",
): Promise<TcpProxy> {
	let target = targetPort;
	let refusing = false;
	const open = new Set<Socket>();
	const drop = () => {
		for (const socket of open) socket.destroy();
		open.clear();
	};
	const server: Server = createServer((client) => {
		if (refusing) {
			client.destroy();
			return;
		}
		const upstream = connect({ port: target, host: targetHost });
		open.add(client);
		open.add(upstream);
		const end = () => {
			client.destroy();
			upstream.destroy();
			open.delete(client);
			open.delete(upstream);
		};
		client.on("error", end);
		upstream.on("error", end);
		client.on("close", end);
		upstream.on("close", end);
		// Writes to a socket still connecting are queued, so piping at once loses nothing.
		client.pipe(upstream);
		upstream.pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const address = server.address();
	if (address === null || typeof address === "string") throw new Error("no proxy port");
	return {
		port: address.port,
		cut() {
			refusing = true;
			drop();
		},
		restore() {
			refusing = false;
		},
		retarget(port) {
			target = port;
			drop();
		},
		get connections() {
			return open.size / 2;
		},
		close() {
			refusing = true;
			drop();
			return new Promise((resolve) => server.close(() => resolve()));
		},
	};
}
