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

/** A message's subject and its text and HTML parts, decoded (what a mail app shows). */
export interface ReadMail {
	subject: string;
	text: string;
	html: string;
}

/** Undo a part's transfer encoding (quoted-printable, base64, or none). */
function decodePart(headers: string, body: string): string {
	const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
	if (encoding === "base64") return Buffer.from(body, "base64").toString("utf8");
	if (encoding !== "quoted-printable") return body;
	// As %-escapes, so that decodeURIComponent joins a character's bytes (UTF-8).
	const bytes = body
		.replace(/=\r?\n/g, "")
		.replaceAll("%", "%25")
		.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
	return decodeURIComponent(bytes);
}

/**
 * Read a raw message as a person would: its subject, and its text and HTML parts (one of
 * them empty when the message has no such part). Enough MIME for what nodemailer sends.
 */
export function readMail(data: string): ReadMail {
	const split = (raw: string) => {
		const at = raw.search(/\r?\n\r?\n/);
		return { headers: raw.slice(0, at), body: raw.slice(at).replace(/^\r?\n\r?\n/, "") };
	};
	const message = split(data);
	const subject = /^subject:\s*(.*(?:\r?\n[ \t].*)*)/im.exec(message.headers)?.[1] ?? "";
	const read: ReadMail = { subject: subject.replace(/\r?\n[ \t]/g, " "), text: "", html: "" };
	const boundary = /boundary="?([^";\r\n]+)"?/i.exec(message.headers)?.[1];
	const parts = boundary
		? message.body
				.split(`--${boundary}`)
				.slice(1, -1)
				.map((part) => split(part.replace(/^\r?\n/, "")))
		: [message];
	for (const part of parts) {
		const type = /content-type:\s*text\/(plain|html)/i.exec(part.headers)?.[1]?.toLowerCase();
		const body = decodePart(part.headers, part.body.replace(/\r?\n$/, ""));
		if (type === "plain") read.text = body;
		else if (type === "html") read.html = body;
	}
	return read;
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
