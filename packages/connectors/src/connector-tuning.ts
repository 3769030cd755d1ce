/**
 * The tuning every connector shares: how long a remote may take and how much a feed may
 * bring. Each call may override a value; these are what it gets otherwise.
 */
export interface ConnectorTuning {
	/**
	 * Give up on a feed, a network API or a webhook receiver that does not answer (headers
	 * and body) within this time, in ms: one slow remote must not hold a whole round of
	 * polls or deliveries.
	 * @default 10000
	 */
	timeoutMs: number;
	/**
	 * Largest feed body read, in bytes: real feeds are a few hundred KiB; a larger answer is
	 * a mistake or an attack, and is refused rather than parsed.
	 * @default 5242880 (5 MiB)
	 */
	maxFeedBytes: number;
}

export const defaultConnectorTuning: ConnectorTuning = {
	timeoutMs: 10_000,
	maxFeedBytes: 5 * 1024 * 1024,
};
