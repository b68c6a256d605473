import { ModelsConsole } from "~/components/models-console";

export const metadata = { title: "Models · Docgate" };

export default function ModelsPage() {
  return <ModelsConsole />;
}
