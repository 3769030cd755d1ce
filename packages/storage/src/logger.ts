/**
 * The logging storage needs: the subset of pino's interface it calls, so a pino logger
 * (or a child of one) can be passed as is without this package depending on pino.
 */
export interface StorageLogger {
	info(fields: Record<string, unknown>, message: string): void;
	warn(fields: Record<string, unknown>, message: string): void;
	error(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything; the default when the caller injects none. */
export const silentLogger: StorageLogger = {
	info() {},
	warn() {},
	error() {},
};
