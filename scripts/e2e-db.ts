// create <url> | drop <name>: the e2e run's own database.
import { migrateDatabase } from "../packages/db/src/migrate";
import { dropDatabase } from "../packages/db/src/testing";

const [command, arg] = process.argv.slice(2);
if (command === "create" && arg) await migrateDatabase(arg);
else if (command === "drop" && arg) await dropDatabase(arg);
else {
  console.error("usage: e2e-db.ts create <url> | drop <name>");
  process.exit(2);
}
process.exit(0);
