import { ServicesConsole } from "./services-console";

export const metadata = { title: "Services · Docgate" };

export default function ServicesPage() {
  return <ServicesConsole />;
}
