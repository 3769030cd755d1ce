/**
 * How much of what a socket has queued for its reader counts against `maxBufferedBytes`.
 *
 * A new client's first sync of a large board is one frame of the board's whole state:
 * 9.4 and 15.4 MB for boards of about 20,000 and 30,000 mentions in bench scenario 6. That
 * frame alone is over the 8 MiB limit while a client that reads normally is still receiving
 * it, so the next board update closed the client (4433, slow consumer) just after its first
 * sync; it connected again a second later and synced again, and the board, left without
 * clients for that second, was compacted and loaded a second time (bench/findings/06.md).
 *
 * So the largest frame not yet written out to the kernel does not count: a reader that
 * reads nothing is still closed once the limit is reached behind that frame, and what the
 * server holds for it stays bounded by the limit plus one frame (whose size the document
 * limits bound).
 */

/** Frames from this size on are tracked until written out; smaller ones always count. */
export const LARGE_FRAME_BYTES = 1024 * 1024;

export class OutgoingBacklog {
	private readonly limit: number;
	/** Sizes of the large frames handed to the socket and not yet written out. */
	private readonly large: number[] = [];

	constructor(limit: number) {
		this.limit = limit;
	}

	/** Whether a socket with `buffered` bytes queued (`ws.bufferedAmount`) is over its limit. */
	over(buffered: number): boolean {
		let largest = 0;
		for (const bytes of this.large) largest = Math.max(largest, bytes);
		return buffered - largest > this.limit;
	}

	/**
	 * Note a frame of `bytes` about to be sent. For a large frame, returns the callback to
	 * pass to `ws.send`, which ws calls once the frame is written out (or the socket failed).
	 */
	sending(bytes: number): (() => void) | undefined {
		if (bytes < LARGE_FRAME_BYTES) return undefined;
		this.large.push(bytes);
		let done = false;
		return () => {
			if (done) return;
			done = true;
			this.large.splice(this.large.indexOf(bytes), 1);
		};
	}
}
