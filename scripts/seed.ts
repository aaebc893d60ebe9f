// `npm run seed`: create the demo workspace if it is missing (idempotent).
import { createLogger, createRuntime, loadConfig, loadDotEnv, seedDemo } from "@tandem/core";

loadDotEnv();
const config = loadConfig();
const log = createLogger({ level: "warn" });
const runtime = await createRuntime(config, { log });
try {
  const result = await seedDemo(runtime.database.db, { password: config.demoPassword, keyring: runtime.keyring });
  console.log(result.created ? "Demo workspace created." : "Demo workspace already exists: nothing to do.");
  for (const l of result.logins) console.log(`  ${l.role.padEnd(6)} ${l.email}`);
  console.log(`  password: ${process.env.DEMO_PASSWORD ? "(DEMO_PASSWORD)" : "tandem-demo"}`);
} finally {
  await runtime.close();
}
