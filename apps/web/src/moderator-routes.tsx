/** The moderator's pages as routes, mounted inside the signed-in shell. */
import { Route } from "@solidjs/router";
import { CoveragePage } from "./pages/coverage-page.tsx";
import { ReportsPage } from "./pages/reports-page.tsx";
import { ReviewsPage } from "./pages/reviews-page.tsx";

export function ModeratorRoutes() {
	return (
		<>
			<Route path="/coverage" component={CoveragePage} />
			<Route path="/reviews" component={ReviewsPage} />
			<Route path="/reports" component={ReportsPage} />
		</>
	);
}
