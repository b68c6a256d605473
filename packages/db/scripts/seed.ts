// Seeds what Docgate needs to run: built-in services, the admin user, the bootstrap key.
import { createDb, databaseUrl, seed } from "../src/index";

const adminEmail = process.env.DOCGATE_ADMIN_EMAIL || "admin@docgate.local";
const db = createDb(databaseUrl(), { max: 2 });
try {
  const result = await seed(db, {
    adminEmail,
    adminPassword: process.env.DOCGATE_ADMIN_PASSWORD || undefined,
    bootstrapApiKey: process.env.DOCGATE_BOOTSTRAP_API_KEY || undefined,
  });
  if (result.generatedPassword) {
    console.log(`\n  Admin user created: ${adminEmail}\n  Password (shown once, store it now): ${result.generatedPassword}\n`);
  } else if (result.adminCreated) {
    console.log(`Admin user created: ${adminEmail} (password from DOCGATE_ADMIN_PASSWORD).`);
  }
} catch (error) {
  console.error(`Seeding failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
