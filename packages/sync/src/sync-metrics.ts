/**
 * What the sync layer tells the operator's metrics, as four calls. The server fills them
 * with prom-client histograms and counters (apps/server/src/metrics.ts); the sync package
 * knows no metrics library. Each call sits on a path that already runs once per event
 * (an update stored, a batch written, a command answered, a presence tick), and does one
 * observation: the benchmark's hot path pays a clock read and a histogram bucket.
 */
import type { RejectCode } from "@switchboard/domain";

/** How a command was answered: `ack`, or the reject's code. */
export type CommandOutcome = "ack" | RejectCode;

export interface SyncMetrics {
	/**
	 * A client's update is in the update log and Hocuspocus will apply and acknowledge it,
	 * `seconds` after it arrived (its early append started) or, for an update logged in its
	 * turn, after its turn came.
	 */
	updateStored(seconds: number): void;
	/** One group-commit statement wrote `size` updates. */
	batchWritten(size: number): void;
	/**
	 * A command (`name`, or `unknown` when it did not parse) was answered with `outcome`,
	 * `seconds` after it arrived (its wait behind the connection's earlier commands included).
	 */
	commandAnswered(name: string, outcome: CommandOutcome, seconds: number): void;
	/** A presence tick sent one awareness message to each of `connections` connections. */
	presenceSent(connections: number): void;
}

/** Metrics that go nowhere: the default of every component, and what tests pass. */
export const noSyncMetrics: SyncMetrics = {
	updateStored() {},
	batchWritten() {},
	commandAnswered() {},
	presenceSent() {},
};
