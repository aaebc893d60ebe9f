/**
 * Facebook Login for connecting Pages. The browser leaves the dashboard for the Login dialog (or the
 * simulator's, in demo mode) and comes back to `/settings/channels?oauth=<id>` to pick Pages, or to
 * `/settings/channels?oauthError=<code>` when the login did not work out.
 */
export const OAUTH_START_PATH = "/api/v1/channels/messenger/oauth/start";
export const OAUTH_PARAM = "oauth";
export const OAUTH_ERROR_PARAM = "oauthError";

/** A full-page navigation: the server answers with a redirect to Facebook, which cannot be fetched. */
export function startFacebookLogin() {
  window.location.assign(OAUTH_START_PATH);
}

const OAUTH_ERRORS: Record<string, string> = {
  oauth_denied:
    "Facebook Login was cancelled or the permissions were declined. Try again and allow Tandem to manage and message for your Pages.",
  oauth_failed:
    "Facebook did not accept the login answer. Try again; if it keeps failing, check the app id and secret (FB_APP_ID, FB_APP_SECRET) of this server.",
  oauth_session_expired:
    "The Facebook Login result has expired or belongs to another session. Continue with Facebook again.",
  facebook_app_not_configured:
    "Facebook Login is not set up on this server (FB_APP_ID and FB_APP_SECRET). Connect the Page manually with its access token instead.",
  platform_unavailable: "Facebook is not answering right now. Wait a minute and try again.",
  platform_error: "Facebook refused the request. Try again, or connect the Page manually with its access token.",
  reconnect_needed: "Facebook rejected the login token. Continue with Facebook again.",
};

/** The readable explanation of an `oauthError` code from the callback redirect. */
export function oauthErrorMessage(code: string): string {
  return (
    OAUTH_ERRORS[code] ?? `Connecting with Facebook did not work (${code}). Try again, or connect the Page manually.`
  );
}
