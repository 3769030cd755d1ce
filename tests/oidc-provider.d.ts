/**
 * The little of oidc-provider (a test-only OpenID Connect provider, which ships no types)
 * that tests/utils/oidc-provider.ts uses.
 */
declare module "oidc-provider" {
	import type { IncomingMessage, ServerResponse } from "node:http";

	interface Account {
		accountId: string;
		claims(): Record<string, unknown>;
	}

	export default class Provider {
		constructor(
			issuer: string,
			configuration: Record<string, unknown> & {
				findAccount?: (context: unknown, id: string) => Promise<Account | undefined>;
			},
		);
		callback(): (req: IncomingMessage, res: ServerResponse) => void;
	}
}
