/**
 * For tests only (a subpath export; smtp-server is a dev dependency): a real SMTP server
 * (smtp-server) on a free port that keeps every message it is handed.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface CaughtMail {
	to: string[];
	/** The raw message, headers and body. */
	data: string;
}

export interface SmtpCatcher {
	/** `smtp://127.0.0.1:<port>`, for `SMTP_URL`. */
	url: string;
	received: CaughtMail[];
	close(): Promise<void>;
}

export async function startSmtpCatcher(): Promise<SmtpCatcher> {
	const received: CaughtMail[] = [];
	const smtp = new SMTPServer({
		authOptional: true,
		disabledCommands: ["STARTTLS"],
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on("data", (chunk: Buffer) => chunks.push(chunk));
			stream.on("end", () => {
				received.push({
					to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
					data: Buffer.concat(chunks).toString("utf8"),
				});
				callback();
			});
		},
	});
	await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
	const { port } = smtp.server.address() as AddressInfo;
	return {
		url: `smtp://127.0.0.1:${port}`,
		received,
		close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
	};
}
