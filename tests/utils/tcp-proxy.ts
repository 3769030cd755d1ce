/**
 * A TCP proxy the test controls: in front of PostgreSQL to take the database away from
 * a server (without stopping the shared PostgreSQL), or in front of a server instance as
 * a load balancer that fails over to another one.
 *
 * Two ways to take a backend away: `cut` is a stopped database (connections reset, new ones
 * refused: the client learns at once), `partition` is a network that silently drops every
 * packet (nothing is forwarded either way and nothing is closed: the client learns nothing,
 * and only its own timeouts can tell). A partition heals as TCP does when packets flow
 * again before it gives up: what was sent meanwhile is delivered late, in order, and a
 * socket one side closed meanwhile closes on the other side only then.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
	port: number;
	/** Drop every open connection and refuse new ones, as a stopped database does. */
	cut(): void;
	/** Accept and forward again. */
	restore(): void;
	/**
	 * Stop forwarding bytes in both directions without closing anything: open connections go
	 * silent, new ones are accepted and never answered, closes are not passed on.
	 */
	partition(): void;
	/** End a partition: deliver what waited, pass on the closes, forward again. */
	heal(): void;
	/** Forward new connections to another port; open ones are dropped. */
	retarget(port: number): void;
	readonly connections: number;
	close(): Promise<void>;
}

interface Pair {
	client: Socket;
	upstream: Socket;
	forwarding: boolean;
	/** One side closed during a partition: close the other once it heals. */
	closing: boolean;
}

export async function startTcpProxy(
	targetPort: number,
	targetHost = "127.0.0.1",
): Promise<TcpProxy> {
	let target = targetPort;
	let refusing = false;
	let partitioned = false;
	const pairs = new Set<Pair>();
	const end = (pair: Pair) => {
		pair.client.destroy();
		pair.upstream.destroy();
		pairs.delete(pair);
	};
	const drop = () => {
		for (const pair of pairs) end(pair);
	};
	// Bytes a paused socket does not read wait in the kernel (and, once its buffer is full,
	// in the sender's): nothing is lost, as with TCP retransmitting across a partition.
	const forward = (pair: Pair) => {
		if (pair.forwarding) return;
		pair.forwarding = true;
		pair.client.pipe(pair.upstream);
		pair.upstream.pipe(pair.client);
	};
	const hold = (pair: Pair) => {
		if (!pair.forwarding) return;
		pair.forwarding = false;
		pair.client.unpipe(pair.upstream);
		pair.upstream.unpipe(pair.client);
		pair.client.pause();
		pair.upstream.pause();
	};
	const server: Server = createServer((client) => {
		if (refusing) {
			client.destroy();
			return;
		}
		const upstream = connect({ port: target, host: targetHost });
		const pair: Pair = { client, upstream, forwarding: false, closing: false };
		pairs.add(pair);
		const closed = () => {
			if (partitioned) pair.closing = true;
			else end(pair);
		};
		client.on("error", closed);
		upstream.on("error", closed);
		client.on("close", closed);
		upstream.on("close", closed);
		// Writes to a socket still connecting are queued, so piping at once loses nothing.
		if (!partitioned) forward(pair);
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
		partition() {
			partitioned = true;
			for (const pair of pairs) hold(pair);
		},
		heal() {
			partitioned = false;
			for (const pair of pairs) {
				forward(pair);
				// Passed on after what waited: the open side is ended once its writes are flushed,
				// and its own close then ends the pair.
				if (pair.closing) {
					pair.client.end();
					pair.upstream.end();
				}
			}
		},
		retarget(port) {
			target = port;
			drop();
		},
		get connections() {
			return pairs.size;
		},
		close() {
			refusing = true;
			partitioned = false;
			drop();
			return new Promise((resolve) => server.close(() => resolve()));
		},
	};
}
