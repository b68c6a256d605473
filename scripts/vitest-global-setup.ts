// One migrated template database per test run; each test file clones it (fast, isolated).
import { createTemplateDatabase, dropDatabase } from "../packages/db/src/testing";

export default async function setup() {
  const template = await createTemplateDatabase();
  process.env.DOCGATE_TEST_TEMPLATE_DB = template;
  return async () => {
    await dropDatabase(template);
  };
}
