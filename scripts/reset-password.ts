// `npm run reset-password -- person@example.com`: prints a one-hour, single-use link to choose a new
// password, for an operator helping someone back in when the installation sends no mail. Anyone
// with the link can set the password: hand it to the person only. In embedded mode, stop the
// server first (the embedded database has one user at a time).
import { createLogger, createRuntime, findUserByEmail, issuePasswordReset, loadConfig, loadDotEnv } from "@tandem/core";

const email = process.argv[2];
if (!email) {
  console.error("Usage: npm run reset-password -- person@example.com");
  process.exit(2);
}
loadDotEnv();
const config = loadConfig();
const runtime = await createRuntime(config, { log: createLogger({ level: "warn" }) });
try {
  const user = await findUserByEmail(runtime.database.db, email);
  if (!user) {
    console.error(`No account uses ${email}.`);
    process.exitCode = 1;
  } else {
    const reset = await issuePasswordReset(runtime.database.db, user, { appUrl: config.appUrl });
    console.log(`Reset link for ${user.email} (one use, until ${reset.expiresAt.toISOString()}):\n  ${reset.link}`);
  }
} finally {
  await runtime.close();
}
