/**
 * Email, optional: with `SMTP_URL` set, invitation and reset links are mailed through
 * nodemailer (pooled SMTP, a few connections at once); without it the admin copies the
 * links from the screen or the CLI. Messages are plain text: a link and who sent it.
 */
import { createRequire } from "node:module";
import type { Logger } from "pino";

/** nodemailer (~25 MiB resident) is loaded only when SMTP_URL asks for a mailer. */
const require = createRequire(import.meta.url);

export interface MailLink {
	kind: "invite" | "reset";
	email: string;
	url: string;
	expiresAt: string;
	orgName: string;
	/** A reset the member asked for themselves ("forgot password"), not an admin. */
	requestedBySelf?: boolean;
}

export interface Mailer {
	/** Send each link to its person; resolves when all were handed to the mail server. */
	sendLinks(links: readonly MailLink[]): Promise<void>;
	close(): void;
}

/** Messages in flight at once. @default 5, nodemailer's own pool size */
const MAX_CONNECTIONS = 5;

function message(link: MailLink): { subject: string; text: string } {
	const until = new Date(link.expiresAt).toUTCString();
	if (link.kind === "reset" && link.requestedBySelf) {
		return {
			subject: `Choose a new Switchboard password for ${link.orgName}`,
			text: `Someone, probably you, asked for a link to choose a new Switchboard password for your account at ${link.orgName}:\n\n${link.url}\n\nIt works once, until ${until}. If it was not you, ignore this message: your password stays as it is.\n`,
		};
	}
	if (link.kind === "reset") {
		return {
			subject: `Choose a new Switchboard password for ${link.orgName}`,
			text: `An admin of ${link.orgName} sent you a link to choose a new password:\n\n${link.url}\n\nIt works once, until ${until}. If you did not expect it, ignore this message.\n`,
		};
	}
	return {
		subject: `You are invited to ${link.orgName} on Switchboard`,
		text: `${link.orgName} invites you to answer its public with your colleagues on Switchboard.\n\nJoin here:\n\n${link.url}\n\nThe link works once, until ${until}.\n`,
	};
}

export function createMailer(options: { smtpUrl: string; from: string; logger: Logger }): Mailer {
	// Pooled: a batch of ten thousand links reuses a few connections instead of opening one each.
	const { createTransport } = require("nodemailer") as typeof import("nodemailer");
	const transport = createTransport({
		url: options.smtpUrl,
		pool: true,
		maxConnections: MAX_CONNECTIONS,
	});
	return {
		async sendLinks(links) {
			let failed = 0;
			await Promise.all(
				links.map(async (link) => {
					try {
						await transport.sendMail({ from: options.from, to: link.email, ...message(link) });
					} catch (error) {
						failed++;
						options.logger.warn({ err: error, kind: link.kind }, "an email could not be sent");
					}
				}),
			);
			if (failed > 0) throw new Error(`${failed} of ${links.length} emails could not be sent`);
		},
		close: () => transport.close(),
	};
}
